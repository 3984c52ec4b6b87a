/**
 * Levelling the ledger with the journal on the share, when the sentinel starts and when a new
 * ledger replaces a lost one. The journal is written first, so after a crash between the two
 * it may be ahead: its extra events are history, and the ledger takes them as they are. A
 * journal behind the ledger (journal.enabled just turned on, the share restored from a
 * backup) is given the ledger's later events. A journal whose chain breaks (altered or cut on
 * the share) is set aside from its first bad line, as a rebuild would, and written again from
 * the ledger. A journal whose sound chain disagrees with the ledger (another hash at a seq both
 * hold: another spool's ledger?) is refused: which of the two is right is an operator's call.
 */
import { ConfigError } from '../errors.js';
import { eventsAfter, hashLookup } from '../ledger/chain-range.js';
import type { JournalEntry } from '../chain/line.js';
import { dayHolding, describeBreak, walkJournal } from '../spool/journal-read.js';
import type { SentinelContext } from './context.js';

const BATCH = 5000;

export interface JournalSync {
  /** Events the ledger took from the journal. */
  replayed: number;
  /** Events the journal took from the ledger. */
  backfilled: number;
}

export function syncJournal(ctx: SentinelContext): JournalSync {
  const { l, log, ledger, journal } = ctx;
  const sync = { replayed: 0, backfilled: 0 };
  if (!journal) return sync;
  const cut = journal.trimTornTail();
  if (cut) log.warn('removed the unfinished end of the journal (an append cut short; never committed)', { bytes: cut });
  const head = ledger.head();
  let ahead: JournalEntry[] = [];
  const take = () => {
    ledger.replay(ahead);
    sync.replayed += ahead.length;
    ahead = [];
  };
  let walk = walkJournal(
    l,
    (e) => {
      if (e.seq <= head.seq) return;
      if (sync.replayed + ahead.length === 0 && head.seq > 0 && e.prev_hash !== head.hash)
        throw refuse(`its seq ${e.seq} does not follow the ledger's last event, seq ${head.seq}`);
      ahead.push(e);
      if (ahead.length >= BATCH) take();
    },
    dayHolding(l, head.seq),
  );
  take();
  if (sync.replayed) log.warn('the ledger was behind the journal; took its events from it', { events: sync.replayed });
  if (walk.broken) {
    // Read again from the first day: the bad line may open the day the walk above started at.
    walk = walkJournal(l);
    const b = walk.broken!;
    const aside = journal.setAsideFrom(b.day, b.offset, new Date().toISOString().replace(/[:.]/g, '-'));
    log.error(`${describeBreak(b)}; the journal is set aside from there and written again from the ledger`, { set_aside: aside });
  }
  const tip = ledger.head();
  const last = walk.last;
  if (last && last.seq === tip.seq) {
    if (last.hash !== tip.hash) throw refuse(`its seq ${tip.seq} has another hash`);
    return sync;
  }
  if (!last && tip.seq === 0) return sync;
  const from = last?.seq ?? 0;
  if (last && hashLookup(ctx.db)(from) !== last.hash) throw refuse(`its last line, seq ${from}, has another hash than the ledger's`);
  for (let rows = eventsAfter(ctx.db, from, BATCH); rows.length; rows = eventsAfter(ctx.db, rows.at(-1)!.seq, BATCH)) {
    // One append per day, so that each event lands in its own day's file and retention prunes it with that day.
    for (const day of byDay(rows)) journal.append(day);
    sync.backfilled += rows.length;
  }
  log.info("the journal was behind the ledger; gave it the ledger's later events", { from_seq: from + 1, events: sync.backfilled });
  return sync;
}

function byDay<T extends { at: string }>(rows: T[]): T[][] {
  const days: T[][] = [];
  for (const r of rows) {
    const last = days.at(-1);
    if (last && last[0]!.at.slice(0, 10) === r.at.slice(0, 10)) last.push(r);
    else days.push([r]);
  }
  return days;
}

function refuse(why: string): ConfigError {
  return new ConfigError(
    `The journal on the share disagrees with the ledger (${why}): run \`spoolctl ledger verify\`, then \`spoolctl ledger rebuild\` if the journal is to be trusted.`,
  );
}
