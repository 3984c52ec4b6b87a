/**
 * The actions a control request can carry, and the job states each applies to: what the CLI
 * and the TUI offer, kept light so that loading a command's options does not load the spool.
 */
export { ACTION_STATES, JOB_ACTIONS, SLOT_ACTIONS, type JobAction, type SlotAction } from '../spool/actions.js';
