/**
 * One line of the journal on the share (spool-layout.md, "The journal"): a ledger event exactly
 * as stored, hash and all, plus the job row it set. The row is derived data, outside the hash:
 * a rebuild checks it against the spool like any row.
 */
import { GENESIS_HASH, hashEvent, type EventRow } from './chain.js';
import type { JobPatch } from './writer.js';

export interface JournalEntry extends EventRow {
  row?: JobPatch;
}

export function formatLine(e: JournalEntry): string {
  const { seq, at, type, job, slot, attempt, actor, detail, prev_hash, hash, row } = e;
  return `${JSON.stringify({ seq, at, type, job, slot, attempt, actor, detail, prev_hash, hash, ...(row ? { row } : {}) })}\n`;
}

const FIELDS: [keyof EventRow, 'string' | 'number' | 'string?' | 'number?'][] = [
  ['seq', 'number'],
  ['at', 'string'],
  ['type', 'string'],
  ['job', 'string?'],
  ['slot', 'number?'],
  ['attempt', 'number?'],
  ['actor', 'string?'],
  ['detail', 'string'],
  ['prev_hash', 'string'],
  ['hash', 'string'],
];

/** The entry a line holds, or why it holds none (cut short, not JSON, a field missing). */
export function parseLine(text: string): JournalEntry | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'is not a whole JSON line (cut short or altered)';
  }
  if (typeof v !== 'object' || v === null) return 'is not a JSON object';
  const o = v as Record<string, unknown>;
  for (const [k, t] of FIELDS) {
    const ok = t.endsWith('?') ? o[k] === null || typeof o[k] === t.slice(0, -1) : typeof o[k] === t;
    if (!ok) return `has no valid "${k}"`;
  }
  return o as unknown as JournalEntry;
}

/** Where the chain stands after a line: the next one must carry seq + 1 and this hash. */
export interface Link {
  seq: number;
  hash: string;
}

/**
 * Why `e` does not follow `prev` in the chain, or undefined when it does. Without `prev` (the
 * journal's first kept line) any start is accepted: after pruning the chain starts mid-way.
 */
export function linkProblem(prev: Link | undefined, e: JournalEntry): string | undefined {
  if (hashEvent(e) !== e.hash) return 'does not match its hash (it was altered)';
  if (!prev) return undefined;
  if (e.seq !== prev.seq + 1) return `carries seq ${e.seq} where seq ${prev.seq + 1} was due (lines are missing or repeated)`;
  if (e.prev_hash !== prev.hash) return "has a prev_hash that is not the previous line's hash (a line before it was changed or removed)";
  return undefined;
}

export const startsAtGenesis = (e: JournalEntry): boolean => e.seq === 1 && e.prev_hash === GENESIS_HASH;
