/**
 * Writes a line of the worker's journal: a claim's start, or its result, the only record of its
 * run. Retried with a growing delay until it is written (a full disk, a share briefly away). A
 * worker that cannot stop would hold up stop-services and its slot, so the retries end when the
 * worker is to give up (a stop has waited worker.stop_timeout_ms, or come twice) or has lost
 * its slot. Its claim then stays, and the sentinel hands it back once the slot is free: the job
 * runs again rather than being lost.
 */
import { fail } from '../faults/failpoints.js';
import { makeThrottle, type Logger } from '../log.js';
import type { ClaimName } from '../spool/layout.js';

export type Written = 'written' | 'given_up' | 'displaced';

const WHAT = {
  start: {
    failpoint: 'run.before-start-line',
    retrying: "cannot record the job's start; retrying",
    givingUp:
      'stopping before the job started, whose start could not be recorded: the sentinel will put the job back once this slot is free',
  },
  result: {
    failpoint: 'result.before-append',
    retrying: 'cannot write the job result; retrying',
    givingUp: 'stopping without the job result, which could not be written: the sentinel will put the job back once this slot is free',
  },
} as const;

export async function writeJournalLine(
  what: keyof typeof WHAT,
  claim: ClaimName,
  write: () => void,
  log: Logger,
  until: { giveUp(): boolean; displaced(): boolean },
): Promise<Written> {
  const text = WHAT[what];
  const throttled = makeThrottle(log);
  for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
    try {
      fail(text.failpoint);
      write();
      return 'written';
    } catch (err) {
      const error = (err as Error).message;
      throttled('error', what, text.retrying, { job: claim.id, error });
      if (until.giveUp()) {
        log.error(text.givingUp, { job: claim.id, error });
        return 'given_up';
      }
      await new Promise((r) => setTimeout(r, delay));
      if (until.displaced()) return 'displaced';
    }
  }
}
