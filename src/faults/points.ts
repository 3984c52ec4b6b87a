/**
 * Every failpoint, at each step boundary where a crash or an error must not lose a job or
 * complete one twice. `spoolctl failpoints` prints this table.
 */
export const FAILPOINTS = {
  'submit.before-publish': 'submit: manifest built and validated, nothing written yet',
  'submit.after-write': 'submit: manifest written and fsynced in tmp/, not yet renamed into pending/',
  'sentinel.after-lock': 'sentinel: its lock taken, its ledger not yet opened',
  'intake.after-read': 'sentinel: a new manifest read and validated, its submission not yet recorded',
  'claim.before-rename': 'sentinel: job chosen for a slot, pending/ file not yet renamed',
  'claim.after-rename': 'sentinel: job renamed into claimed/, the claim not yet in the ledger',
  'slot.after-lock': 'worker: its slot lock taken, its heartbeat not yet written',
  'run.before-start-line': "worker: claim picked up, its start not yet in the worker's journal (the sentinel hands it back uncounted)",
  'result.mid-append':
    "worker: half of a line (a claim's start or result) written to its journal; error(ENOSPC) here is a write that fails part-way",
  'run.before-spawn': "worker: the claim's start recorded and synced, plugin not yet started",
  'run.after-spawn': 'worker: plugin running',
  'result.before-append': "worker: plugin finished, its result not yet in the worker's journal",
  'result.after-append': 'worker: result written to its journal, worker not yet idle',
  'complete.before-move': "sentinel: result read (a worker's journal synced first), claim not yet moved",
  'complete.after-move': 'sentinel: claim moved to done/, failed/ or pending/, the move not yet in the ledger',
  'reclaim.before-move': 'sentinel: a lost worker found, its claim not yet moved back',
  'reclaim.after-move': 'sentinel: claim moved back to pending/, not yet in the ledger',
  'control.before-apply': 'sentinel: control request read and validated, nothing applied yet',
  'control.after-move': 'sentinel: a control request moved a job file, the move not yet in the ledger',
  'control.before-ack': 'sentinel: every item of a control request applied, acknowledgement not yet written',
  'control.after-ack': 'sentinel: control request acknowledged, the request file not yet removed',
  'journal.before-append': "sentinel: a pass's events sealed (seq and hash), not yet appended to the journal on the share",
  'journal.mid-append':
    "sentinel: a pass's lines written to the journal's day file, not yet fdatasynced; error(ENOSPC) here is an append that fails part-way",
  'journal.cut-back':
    'sentinel: an append to the journal failed part-way, its bytes not yet cut back off the day file; error(EIO) here leaves them there',
  'journal.after-append': 'sentinel: events appended to the journal and fdatasynced, the ledger not yet committed',
  'ledger.before-commit': 'sentinel: a batch of ledger records about to be committed',
  'ledger.after-commit': 'sentinel: a batch of ledger records committed',
  'heartbeat.before-write': 'worker: about to refresh its heartbeat',
  'rename.reply-lost':
    'any move between state directories: the rename is done; error(ENOENT) here is a lost NFS reply, reported as a failure',
} as const;

export type FailpointName = keyof typeof FAILPOINTS;
