/**
 * Submission: builds manifests from flags (and from lines of a file), and publishes them into
 * pending/ through tmp/ (the same file-drop any producer may use) once every one is checked
 * (./batch.ts). The sentinel is not needed to submit.
 */
import { checkDrafts, publishManifests, type Draft } from './batch.js';
import { fileServerNowOrLocal } from './clock.js';
import { refuseKnownIds } from './job-ids.js';
import { slotStates } from './slots.js';
import { sentinelStatus } from './status.js';
import type { Spool } from './spool.js';

export interface SubmitInput {
  plugin?: string;
  id?: string;
  input?: string;
  params?: Record<string, string>;
  priority?: number;
  maxAttempts?: number;
  /** ISO 8601 in UTC: not claimed before. */
  notBefore?: string;
  after?: string[];
  requires?: string[];
}

/**
 * The manifest fields `input` describes, laid over `line` (a manifest from --manifests-from):
 * what the line sets itself wins, except "after" and "requires", which it adds to.
 */
export function fieldsOf(input: SubmitInput, line: Record<string, unknown> = {}): Record<string, unknown> {
  const list = (key: string, more: string[] | undefined) => {
    const own = Array.isArray(line[key]) ? (line[key] as unknown[]) : [];
    const all = [...new Set([...own, ...(more ?? [])])];
    return all.length > 0 ? { [key]: all } : {};
  };
  const params = { ...input.params, ...(line.params as Record<string, unknown> | undefined) };
  const shared: Record<string, unknown> = {
    plugin: input.plugin,
    id: input.id,
    input: input.input,
    priority: input.priority,
    max_attempts: input.maxAttempts,
    not_before: input.notBefore,
  };
  const defined = Object.fromEntries(Object.entries(shared).filter(([, v]) => v !== undefined));
  return {
    ...defined,
    ...line,
    ...(Object.keys(params).length > 0 ? { params } : {}),
    ...list('after', input.after),
    ...list('requires', input.requires),
  };
}

export async function submitJob(s: Spool, input: SubmitInput): Promise<string> {
  // Checked first: a chosen id the spool has is a conflict (exit 1), not a usage error.
  if (input.id !== undefined) refuseKnownIds(s, [input.id]);
  return (await submitJobs(s, [{ where: 'Cannot submit', fields: fieldsOf(input) }]))[0]!;
}

/** Checks every job, then publishes them all; returns their ids in order. */
export async function submitJobs(s: Spool, drafts: Draft[]): Promise<string[]> {
  const manifests = checkDrafts(s, drafts);
  await publishManifests(s, manifests);
  return manifests.map((m) => m.id);
}

/**
 * Why a job just submitted will wait (no sentinel up, no worker taking jobs), as one sentence
 * for stderr; undefined when both run. The job is queued either way: this only warns.
 */
export function waitingWarning(s: Spool): string | undefined {
  try {
    const now = fileServerNowOrLocal(s);
    const sentinel = sentinelStatus(s, now).up;
    const worker = slotStates(s, now).some((x) => x.condition === 'idle' || x.condition === 'busy');
    if (sentinel && worker) return undefined;
    const missing =
      !sentinel && !worker
        ? 'no sentinel is up and no worker holds a slot'
        : !sentinel
          ? 'no sentinel is up'
          : 'no worker holds a slot that takes jobs';
    return `the job is queued, but ${missing}, so it waits until ${!sentinel && !worker ? 'a sentinel and a worker run' : !sentinel ? 'a sentinel runs' : 'a worker runs'}: start them with \`spoolctl start-services\` (or \`spoolctl sentinel\` and \`spoolctl worker\`).`;
  } catch {
    return undefined; // a warning must never fail a submission that succeeded
  }
}
