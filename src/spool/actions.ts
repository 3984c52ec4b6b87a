/**
 * The actions a control request can carry, and the job states each applies to. No spool code
 * here: the CLI's options and the TUI's keys load this without the control files' code.
 */
import type { JobState } from './layout.js';

export const JOB_ACTIONS = ['requeue', 'hold', 'release', 'cancel', 'purge'] as const;
export const SLOT_ACTIONS = ['drain', 'undrain'] as const;
/** Dispatch as a whole: `spoolctl pause` / `resume`. */
export const DISPATCH_ACTIONS = ['pause', 'resume'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];
export type SlotAction = (typeof SLOT_ACTIONS)[number];
export type DispatchAction = (typeof DISPATCH_ACTIONS)[number];

/**
 * The states each job action takes a job out of, and those where it has nothing to do (the
 * sentinel acknowledges these as success). The sentinel refuses every other state; a bulk
 * selection picks only `from`, so that what a dry run lists is what the real run changes.
 * `named` states are taken only when asked for: by id, or by that --state. A cancel is an
 * operator's decision that a broad requeue must not undo.
 */
export const ACTION_STATES: Record<JobAction, { from: readonly JobState[]; named?: readonly JobState[]; already: readonly JobState[] }> = {
  requeue: { from: ['failed', 'done', 'held'], named: ['cancelled'], already: ['pending'] },
  hold: { from: ['pending'], already: ['held'] },
  release: { from: ['held'], already: ['pending'] },
  cancel: { from: ['pending', 'held', 'claimed'], already: ['cancelled'] },
  purge: { from: ['done', 'failed', 'cancelled', 'rejected'], already: [] },
};
