/**
 * The journal on the share: the audit history that outlives the sentinel's host. Checked from
 * any host without the ledger, and quickly whatever the journal's age: the chain of the newest
 * day file (where the sentinel appends), and what the running sentinel says of its last append
 * (events wait in its memory while the share refuses them). Every day, and the agreement with
 * the ledger, is `ledger verify`'s.
 */
import { checkJournal } from '../api/journal.js';
import type { SentinelStatus } from '../api/status.js';
import type { Spool } from '../api/spool.js';
import { fixForErrno, pass, type Check } from './check.js';

export function checkJournalFiles(s: Spool, sentinel: SentinelStatus): Check {
  const name = 'journal';
  const j = checkJournal(s, sentinel.up, undefined, 'newest-day');
  if (!j) return pass(name, "journal.enabled is off: the audit history lives only in the ledger on the sentinel's host");
  const live = sentinel.journal;
  if (live && !live.ok) {
    // The sentinel publishes the error's text; its errno is in it (ENOSPC, EIO, …).
    const code = /\b(E[A-Z]{3,})\b/.exec(live.error ?? '')?.[1];
    return {
      name,
      status: 'fail',
      detail: `the sentinel cannot write the journal (${live.error}): ${live.behind} event(s) wait in its memory, and the ledger waits with them`,
      fix: fixForErrno(code, s.l.journal),
    };
  }
  if (j.problem) {
    return {
      name,
      status: 'fail',
      detail: j.problem.problem,
      fix: "the journal was altered or cut outside spoolctl: `spoolctl ledger verify` on the sentinel's host compares it with the ledger; `spoolctl ledger rebuild` replays the good part and sets the rest aside.",
    };
  }
  if (j.lines === 0) return pass(name, 'no journal lines yet');
  return pass(
    name,
    `checked the newest of ${j.days} day file(s), ${j.files[0]}: seq ${j.first_seq} to ${j.last_seq}, hash chain intact${live ? `; the sentinel's last append succeeded` : ''}; \`spoolctl ledger verify\` checks every day against the ledger`,
  );
}
