/**
 * `spoolctl verify`: the invariants of a spool, its ledger and the journal on the share, each
 * violation named with the fix to try. Meant for a quiet spool (after a chaos run, after an incident); on a busy one,
 * moves made between the directory listing and the ledger read can show as mismatches.
 */

import { jobEvents, listJobs, PURGED, type JobRow } from '../ledger/queries.js';
import { verifyChain } from '../ledger/verify.js';
import { claimPath, rejectedEntry, relativeToSpool, type JobState } from '../spool/layout.js';
import { allSlotNumbers, listClaims, listDone, listStateDir } from '../spool/scan.js';
import { listRejected } from '../spool/rejected.js';
import { isLive } from '../slot-state.js';
import { checkJournal, type JournalCheck } from './journal.js';
import { slotStates } from './slots.js';
import { sentinelStatus } from './status.js';
import { requireLedger, type Spool } from './spool.js';

export type ViolationKind =
  | 'duplicate'
  | 'stray-file'
  | 'missing-from-ledger'
  | 'ledger-mismatch'
  | 'lost'
  | 'completed-twice'
  | 'done-without-event'
  | 'ledger-chain'
  | 'journal'
  | 'orphaned-claim';

export interface Violation {
  kind: ViolationKind;
  job?: string;
  file?: string;
  detail: string;
  fix: string;
}

export interface VerifyReport {
  ok: boolean;
  spool: string;
  jobs_in_spool: number;
  jobs_in_ledger: number;
  events: number;
  /** The journal on the share checked against the ledger, as `ledger verify` does; null when journal.enabled is off. */
  journal: JournalCheck | null;
  violations: Violation[];
}

interface Seen {
  state: JobState;
  file: string;
}

export function verifySpool(s: Spool): VerifyReport {
  const { l } = s;
  const violations: Violation[] = [];
  const seen = new Map<string, Seen[]>();
  const see = (id: string, state: JobState, file: string) => seen.set(id, [...(seen.get(id) ?? []), { state, file }]);

  for (const state of ['pending', 'held', 'failed', 'cancelled'] as const) {
    const { jobs, strays } = listStateDir(l[state]);
    for (const j of jobs) see(j.id, state, `${state}/${j.name}`);
    for (const name of strays)
      violations.push({
        kind: 'stray-file',
        file: `${state}/${name}`,
        detail: 'a file that is not a job file',
        fix: 'move it to rejected/ or remove it',
      });
  }
  for (const j of listDone(l)) see(j.id, 'done', relativeToSpool(l, j.path));
  const sentinelUp = sentinelStatus(s).up;
  const judged = new Map(slotStates(s).map((x) => [x.slot, x]));
  for (const slot of allSlotNumbers()) {
    const { claims, strays } = listClaims(l, slot);
    for (const name of strays)
      violations.push({
        kind: 'stray-file',
        file: `claimed/slot-${slot}/${name}`,
        detail: 'not a claim file name',
        fix: 'move it to rejected/ or remove it',
      });
    const holder = judged.get(slot);
    const live = holder !== undefined && isLive(holder.condition);
    for (const c of claims) {
      const file = relativeToSpool(l, claimPath(l, c));
      see(c.id, 'claimed', file);
      if (!(live && holder.heartbeat?.token === c.token)) {
        violations.push({
          kind: 'orphaned-claim',
          job: c.id,
          file,
          detail: `claimed in slot ${slot} but no live worker holds that claim's token`,
          fix: sentinelUp
            ? 'wait one scan interval and verify again: the sentinel reclaims it; if it stays, restart the sentinel'
            : 'start the sentinel: it reclaims claims of lost workers',
        });
      }
    }
  }

  for (const [id, places] of seen) {
    if (places.length > 1) {
      violations.push({
        kind: 'duplicate',
        job: id,
        detail: `job files in ${places.length} places: ${places.map((p) => p.file).join(', ')}`,
        fix: 'keep the copy the ledger names (`spoolctl jobs show ID`) and move the others to rejected/',
      });
    }
  }

  const db = requireLedger(s);
  try {
    const rows = listJobs(db);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [id, places] of seen) {
      const row = byId.get(id);
      const here = places[0]!;
      if (!row) {
        violations.push({
          kind: 'missing-from-ledger',
          job: id,
          file: here.file,
          detail: 'a job file the ledger does not know',
          fix: 'restart the sentinel (it records what it finds at start-up) or run `spoolctl ledger rebuild`',
        });
      } else if (places.length === 1 && (row.state !== here.state || row.file !== here.file)) {
        violations.push({
          kind: 'ledger-mismatch',
          job: id,
          file: here.file,
          detail: `the ledger says ${row.state} at ${row.file ?? '?'}, the spool has it at ${here.file}`,
          fix: 'restart the sentinel: it reconciles the ledger with the spool at start-up',
        });
      }
    }
    violations.push(...rejectedMismatches(listRejected(l), rows));
    for (const row of rows) {
      // Purged jobs' files were removed on purpose; their rows are the history that stays.
      if (row.state === 'rejected' || row.state === PURGED || seen.has(row.id)) continue;
      violations.push({
        kind: 'lost',
        job: row.id,
        file: row.file ?? undefined,
        detail: `the ledger says ${row.state} at ${row.file ?? '?'} but no job file with this id exists`,
        fix: 'look for the file (a manual move or delete?); if it is gone, resubmit the job from its producer',
      });
    }
    for (const row of rows) {
      let completions = 0;
      for (const e of jobEvents(db, row.id)) {
        if (e.type === 'requeued') completions = 0;
        else if (e.type === 'done') completions += 1;
        if (completions > 1) {
          violations.push({
            kind: 'completed-twice',
            job: row.id,
            detail: `a second done event (seq ${e.seq}) without a requeue in between`,
            fix: 'a spoolctl bug: keep the spool and the ledger and report it',
          });
          break;
        }
      }
      if (row.state === 'done' && completions === 0 && seen.get(row.id)?.[0]?.state === 'done') {
        violations.push({
          kind: 'done-without-event',
          job: row.id,
          detail: 'in done/ with no done event since its last requeue',
          fix: 'restart the sentinel so it records the completion',
        });
      }
    }
    const chain = verifyChain(db);
    for (const p of chain.problems) {
      violations.push({
        kind: 'ledger-chain',
        detail: `ledger row ${p.seq}: ${p.problem}`,
        fix: 'the ledger was altered outside spoolctl: restore it from a backup, or `spoolctl ledger rebuild` (history is lost)',
      });
    }
    const journal = checkJournal(s, sentinelUp, db);
    if (journal?.problem) {
      violations.push({
        kind: 'journal',
        file: journal.problem.file ?? undefined,
        detail: journal.problem.problem,
        fix: '`spoolctl ledger verify` names the same; `spoolctl ledger rebuild` (sentinel stopped) replays the journal up to its first bad line and sets the rest aside',
      });
    }
    return {
      ok: violations.length === 0,
      spool: l.root,
      jobs_in_spool: seen.size,
      jobs_in_ledger: rows.length,
      events: chain.events,
      journal,
      violations,
    };
  } finally {
    db.close();
  }
}

/** Every file in rejected/ is one rejected item in the ledger, and every rejected item has its file. */
function rejectedMismatches(names: string[], rows: JobRow[]): Violation[] {
  const out: Violation[] = [];
  const files = new Set(names.map(rejectedEntry));
  const listed = new Set<string>();
  for (const row of rows) {
    if (row.state !== 'rejected' || !row.file) continue;
    listed.add(row.file);
    if (!files.has(row.file)) {
      out.push({
        kind: 'lost',
        job: row.id,
        file: row.file,
        detail: `the ledger lists a rejected file at ${row.file}, which is gone`,
        fix: 'start the sentinel: it records a file removed from rejected/ as purged',
      });
    }
  }
  for (const file of files) {
    if (!listed.has(file))
      out.push({
        kind: 'missing-from-ledger',
        file,
        detail: 'a file in rejected/ the ledger does not list',
        fix: 'start the sentinel (it records what it finds in rejected/) or run `spoolctl ledger rebuild`',
      });
  }
  return out;
}
