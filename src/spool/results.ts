/**
 * Result files (results/s<slot>.<claim>.json): a worker's report on one claim. The sentinel
 * applies a result only while the exact claim it names still exists (DESIGN §4 rule 3).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publish, unlinkQuiet } from './atomic.js';
import { parseResultName, resultFileName, type ClaimName, type Layout } from './layout.js';
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

export function publishResult(l: Layout, claim: ClaimName, result: JobResult): void {
  publish(l.tmp, join(l.results, resultFileName(claim)), JSON.stringify(result));
}

export interface ResultFile {
  name: string;
  claim?: ClaimName;
}

export function listResults(l: Layout): ResultFile[] {
  return listNames(l.results).map((name) => ({ name, claim: parseResultName(name) }));
}

export function readResult(l: Layout, name: string): JobResult {
  return JSON.parse(readFileSync(join(l.results, name), 'utf8')) as JobResult;
}

export function removeResult(l: Layout, name: string): void {
  unlinkQuiet(join(l.results, name));
}
