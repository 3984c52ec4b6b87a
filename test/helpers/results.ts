/** A worker's result as the worker writes it: done, exit code 0, unless `extra` says otherwise. */
import { publish } from '../../src/spool/atomic.js';
import { resultFileName, resultPath, type ClaimName, type Layout } from '../../src/spool/layout.js';
import type { JobResult } from '../../src/spool/results.js';

export function jobResult(extra: Partial<JobResult> = {}): JobResult {
  return {
    outcome: 'done',
    token: 'tok123456789',
    host: 'h1',
    pid: 42,
    exit_code: 0,
    started_at: '2026-12-01T00:00:00.000Z',
    finished_at: '2026-12-01T00:00:01.000Z',
    ...extra,
  };
}

/** A result file as a worker that keeps no journal (an older one) publishes it. */
export function writeResultFile(l: Layout, claim: ClaimName, result: JobResult): void {
  publish(l.tmp, resultPath(l, resultFileName(claim)), JSON.stringify(result));
}
