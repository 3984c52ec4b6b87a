/**
 * What results/ holds: the workers' journals (./worker-journal.ts), and result files
 * (results/s<slot>.<claim>.json), a report on one claim from a worker that keeps no journal.
 * The sentinel applies a result only while the exact claim it names still exists
 * (spool-layout.md rule 3, fencing).
 */
import { readFileSync } from 'node:fs';
import { unlinkQuiet } from './atomic.js';
import { parseResultName, parseWorkerJournalName, resultPath, type ClaimName, type Layout, type WorkerJournalName } from './layout.js';
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

export interface ResultsListing {
  /** Result files, with the claim each names (undefined for a name that is neither). */
  files: { name: string; claim?: ClaimName }[];
  journals: WorkerJournalName[];
}

export function listResults(l: Layout): ResultsListing {
  const listing: ResultsListing = { files: [], journals: [] };
  for (const name of listNames(l.results)) {
    const journal = parseWorkerJournalName(name);
    if (journal) listing.journals.push(journal);
    else listing.files.push({ name, claim: parseResultName(name) });
  }
  return listing;
}

export function readResult(l: Layout, name: string): JobResult {
  return JSON.parse(readFileSync(resultPath(l, name), 'utf8')) as JobResult;
}

export function removeResult(l: Layout, name: string): void {
  unlinkQuiet(resultPath(l, name));
}
