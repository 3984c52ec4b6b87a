/**
 * Ids of new jobs: the generated ones, and the check that a chosen one is new to the spool.
 * `submit` and `run` both go through the check, so neither publishes a job that the sentinel
 * would quarantine as a duplicate or file under another job's history.
 */
import { nanoid } from 'nanoid';
import { getJob } from '../ledger/queries.js';
import { exists } from '../spool/atomic.js';
import { stateFileName, statePath } from '../spool/layout.js';
import { openLedgerForRead, type Spool } from './spool.js';

const GENERATED_LENGTH = 12;

/**
 * A random id that never starts with "-", which every command taking ids would read as an
 * option. Drawing again keeps the ids uniform over the rest, at nanoid's full entropy.
 */
export function newJobId(): string {
  for (;;) {
    const id = nanoid(GENERATED_LENGTH);
    if (!id.startsWith('-')) return id;
  }
}

export function alreadyExists(id: string, state: string): Error {
  return new Error(`job ${id} already exists (${state}): choose another id.`);
}

/**
 * Refuses ids the spool already has. The ledger knows every job the sentinel has seen, in
 * whatever state (purged ones too, whose history keeps the id); a file dropped in pending/
 * that the sentinel has not read yet is the only job it does not know.
 */
export function refuseKnownIds(s: Spool, ids: string[]): void {
  const db = openLedgerForRead(s);
  try {
    for (const id of ids) {
      const state =
        (db ? getJob(db, id)?.state : undefined) ?? (exists(statePath(s.l, 'pending', stateFileName(id, 0))) ? 'pending' : undefined);
      if (state) throw alreadyExists(id, state);
    }
  } finally {
    db?.close();
  }
}
