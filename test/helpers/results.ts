/** A worker's result as the worker writes it: done, exit code 0, unless `extra` says otherwise. */
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
