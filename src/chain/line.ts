/**
 * One line of the journal on the share (spool-layout.md, "The journal"): a ledger event exactly
 * as stored, hash and all, plus the job row it set. The row is derived data, outside the hash:
 * a rebuild checks it against the spool like any row. Values only: the ledger seals entries,
 * the spool's journal files hold them.
 */
import type { EventRow } from './event.js';

/** The job row's new values that an event sets (or a patch without an event). */
export interface JobPatch {
  id: string;
  state?: string;
  plugin?: string;
  priority?: number;
  attempts?: number;
  max_attempts?: number;
  slot?: number | null;
  file?: string | null;
  progress?: number | null;
  message?: string | null;
  last_error?: string | null;
  submitted_at?: string;
  finished_at?: string | null;
  /** ISO, UTC: the manifest's not_before. */
  not_before?: string | null;
  /** ISO, UTC: a failed attempt's backoff ends. */
  retry_at?: string | null;
  /** JSON array of the ids the job runs after. */
  after_ids?: string | null;
  /** Why the sentinel did not claim it on its last look (dependency, plugin limit, tags); null when nothing but a slot. */
  waiting?: string | null;
}

export interface JournalEntry extends EventRow {
  row?: JobPatch;
}

/** Where sealed events go before the ledger commits them: the journal on the share. */
export interface EventSink {
  append(entries: JournalEntry[]): void;
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
