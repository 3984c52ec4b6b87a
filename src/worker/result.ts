/**
 * Writes a claim's result, the only record of its run: retried with a growing delay until it
 * is written (a full disk, a share briefly away). A worker that cannot stop would hold up
 * stop-services and its slot, so the retries end when the worker is to give up (a stop has
 * waited worker.stop_timeout_ms, or come twice) or has lost its slot. Its claim then stays,
 * and the sentinel takes it back as handed back once the slot is free: the job runs again
 * rather than being lost.
 */
import { fail } from '../faults/failpoints.js';
import { makeThrottle, type Logger } from '../log.js';
import type { ClaimName, Layout } from '../spool/layout.js';
import { publishResult, type JobResult } from '../spool/results.js';

export type Written = 'written' | 'given_up' | 'displaced';

export async function writeResult(
  l: Layout,
  claim: ClaimName,
  result: JobResult,
  log: Logger,
  until: { giveUp(): boolean; displaced(): boolean },
): Promise<Written> {
  const throttled = makeThrottle(log);
  for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
    try {
      fail('result.before-publish');
      publishResult(l, claim, result);
      return 'written';
    } catch (err) {
      const error = (err as Error).message;
      throttled('error', 'result', 'cannot write the job result; retrying', { job: claim.id, error });
      if (until.giveUp()) {
        const why =
          'stopping without the job result, which could not be written: the sentinel will put the job back once this slot is free';
        log.error(why, { job: claim.id, outcome: result.outcome, error });
        return 'given_up';
      }
      await new Promise((r) => setTimeout(r, delay));
      if (until.displaced()) return 'displaced';
    }
  }
}
