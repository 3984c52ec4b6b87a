/**
 * Levelling the ledger with the journal on the share, when the sentinel starts and when a new
 * ledger replaces a lost one. The journal is written first, so after a crash between the two
 * it may be ahead: its extra events are history, and the ledger takes them as they are. A
 * journal behind the ledger (journal.enabled just turned on, the share restored from a
 * backup) is given the ledger's later events. A journal that disagrees with the ledger is
 * refused: which of the two is right is an operator's call (`spoolctl ledger verify`).
 */
import { ConfigError } from '../errors.js';
import { eventsAfter, hashAt } from '../ledger/chain-range.js';
import type { JournalEntry } from '../ledger/journal-line.js';
import { trimTornTail } from '../spool/journal.js';
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
  const { l, log, ledger } = ctx;
  const sync = { replayed: 0, backfilled: 0 };
  if (!ctx.journal) return sync;
  const cut = trimTornTail(l);
  if (cut) log.warn('removed the partial last line of the journal (an append cut short by a crash; never committed)', { bytes: cut });
  const head = ledger.head();
  let atHead: string | undefined;
  let ahead: JournalEntry[] = [];
  const take = () => {
    ledger.replay(ahead);
    sync.replayed += ahead.length;
    ahead = [];
  };
  const refuse = (why: string) =>
    new ConfigError(
      `The journal on the share disagrees with the ledger (${why}): run \`spoolctl ledger verify\`, then \`spoolctl ledger rebuild\` if the journal is to be trusted.`,
    );
  const walk = walkJournal(
    l,
    (e) => {
      if (e.seq === head.seq) atHead = e.hash;
      if (e.seq <= head.seq) return;
      if (sync.replayed + ahead.length === 0 && head.seq > 0 && e.prev_hash !== head.hash)
        throw refuse(`its seq ${e.seq} does not follow the ledger's last event, seq ${head.seq}`);
      ahead.push(e);
      if (ahead.length >= BATCH) take();
    },
    dayHolding(l, head.seq),
  );
  if (walk.broken) throw refuse(describeBreak(walk.broken));
  take();
  if (sync.replayed) log.warn('the ledger was behind the journal; took its events from it', { events: sync.replayed });
  if (!walk.last || walk.last.seq >= head.seq) {
    if (walk.last && walk.last.seq === head.seq && atHead !== head.hash) throw refuse(`its seq ${head.seq} has another hash`);
    if (walk.last || head.seq === 0) return sync;
  }
  const from = walk.last?.seq ?? 0;
  if (walk.last && hashAt(ctx.db, from) !== walk.last.hash) throw refuse(`its last line, seq ${from}, has another hash than the ledger's`);
  for (let rows = eventsAfter(ctx.db, from, BATCH); rows.length; rows = eventsAfter(ctx.db, rows.at(-1)!.seq, BATCH)) {
    ctx.journal.append(rows);
    sync.backfilled += rows.length;
  }
  log.info("the journal was behind the ledger; gave it the ledger's later events", { from_seq: from + 1, events: sync.backfilled });
  return sync;
}
