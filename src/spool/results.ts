/**
 * Result files (results/s<slot>.<claim>.json): a worker's report on one claim. The sentinel
 * applies a result only while the exact claim it names still exists (spool-layout.md rule 3, fencing).
 */
import { readFileSync, renameSync } from 'node:fs';
import { exists, padJson, publish, unlinkQuiet } from './atomic.js';
import { parseResultName, resultFileName, resultPath, spentResultPath, type ClaimName, type Layout } from './layout.js';
import { listNames } from './scan.js';

export type Outcome =
  /** Exit 0. */
  | 'done'
  /** Non-zero exit, signal or timeout: retried while attempts remain. */
  | 'failed'
  /** Cannot succeed on any retry (missing env, bad plugin): straight to failed/. */
  | 'failed_permanently'
  /** The worker stopped before the job ended (SIGTERM, claim gone): the attempt does not count. */
  | 'handed_back';

export interface JobResult {
  outcome: Outcome;
  token: string;
  host: string;
  pid: number;
  exit_code?: number | null;
  signal?: string | null;
  error?: string;
  log_tail?: string;
  started_at: string;
  finished_at: string;
}

/** Written over the slot's spent result file when there is one (see recycleResult), padded to a constant size. */
export function publishResult(l: Layout, claim: ClaimName, result: JobResult): void {
  publish(l.tmp, resultPath(l, resultFileName(claim)), padJson(JSON.stringify(result)), { reuse: spentResultPath(l, claim.slot) });
}

export interface ResultFile {
  name: string;
  claim?: ClaimName;
}

export function listResults(l: Layout): ResultFile[] {
  return listNames(l.results).map((name) => ({ name, claim: parseResultName(name) }));
}

export function readResult(l: Layout, name: string): JobResult {
  return JSON.parse(readFileSync(resultPath(l, name), 'utf8')) as JobResult;
}

export function removeResult(l: Layout, name: string): void {
  unlinkQuiet(resultPath(l, name));
}

/**
 * Removes an applied result by handing its file back to the slot's worker, which rewrites
 * it for its next result instead of creating a file (see publish's `reuse`). Only the
 * sentinel puts a spent file and workers only take it, so the check cannot be raced into a
 * replace.
 */
export function recycleResult(l: Layout, name: string, slot: number): void {
  const spent = spentResultPath(l, slot);
  try {
    if (!exists(spent)) return renameSync(resultPath(l, name), spent);
  } catch {
    // fall through: removed like any other
  }
  removeResult(l, name);
}
