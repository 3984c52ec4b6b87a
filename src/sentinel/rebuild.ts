/**
 * `spoolctl ledger rebuild`: a new ledger for one that is corrupt or lost. It takes the spool's
 * sentinel lock (the sentinel must be stopped: only one process writes the ledger), keeps the
 * old file aside, replays the journal on the share link by link, then records every job the
 * spool holds that the journal did not leave as it is (one `reconciled` event each). History
 * is lost only where the journal is: from its first bad line on (that part is set aside, so
 * new events chain onto the last good line), and before its oldest kept day.
 */
import { existsSync, renameSync } from 'node:fs';
import { basename } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { hostId } from '../config/identity.js';
import type { JournalEntry } from '../chain/line.js';
import { openDb } from '../ledger/open.js';
import { ledgerPathOf } from '../ledger/path.js';
import { makeLogger } from '../log.js';
import { completeLayout } from '../spool/init.js';
import type { JournalAppender } from '../spool/journal.js';
import { describeBreak, walkJournal, type JournalBreak } from '../spool/journal-read.js';
import type { Layout } from '../spool/layout.js';
import { makeContext, type SentinelContext } from './context.js';
import { intake } from './intake.js';
import { lockSpool } from './lock.js';
import { reconcile } from './reconcile.js';

export interface JournalReplay {
  replayed: number;
  first_seq: number | null;
  last_seq: number | null;
  /** The journal starts at seq 1: nothing was pruned. */
  from_genesis: boolean;
  broken: JournalBreak | null;
  set_aside: string[];
}

export interface RebuildReport {
  ledger: string;
  kept_aside: string[];
  jobs: number;
  by_state: Record<string, number>;
  /** Null when journal.enabled is off. */
  journal: JournalReplay | null;
  /** What history the new ledger lacks, in one sentence. */
  lost: string;
}

const BATCH = 5000;

function replayJournal(ctx: SentinelContext, appender: JournalAppender, stamp: string): JournalReplay {
  let batch: JournalEntry[] = [];
  let replayed = 0;
  const take = () => {
    ctx.ledger.replay(batch);
    replayed += batch.length;
    batch = [];
  };
  const walk = walkJournal(ctx.l, (e) => {
    batch.push(e);
    if (batch.length >= BATCH) take();
  });
  take();
  const b = walk.broken;
  return {
    replayed,
    first_seq: walk.first?.seq ?? null,
    last_seq: walk.last?.seq ?? null,
    from_genesis: walk.from_genesis,
    broken: b ?? null,
    set_aside: b ? appender.setAsideFrom(b.day, b.offset, stamp) : [],
  };
}

function whatIsLost(j: JournalReplay | null): string {
  if (!j || (j.replayed === 0 && !j.broken))
    return "each job's event history before now (there is no journal); every job starts again with one reconciled event.";
  const parts: string[] = [];
  if (j.first_seq !== null && !j.from_genesis)
    parts.push(
      `the journal's kept history starts at seq ${j.first_seq} (older days were pruned by journal.keep_days): events before it are gone`,
    );
  if (j.broken)
    parts.push(
      `${describeBreak(j.broken)}: events from seq ${j.broken.seq} on could not be replayed; job rows for them come from the spool (set aside: ${j.set_aside.map((p) => basename(p)).join(', ')})`,
    );
  return parts.length ? `${parts.join('; ')}.` : `nothing: ${j.replayed} events replayed from the journal, from seq 1 on.`;
}

export async function rebuildLedger(l: Layout, loaded: LoadedConfig): Promise<RebuildReport> {
  const log = makeLogger('ledger-rebuild');
  const lock = await lockSpool(l, loaded.config, hostId(), log);
  try {
    // A spool made before journal/ existed gets it here, as a sentinel's start would give it.
    completeLayout(l);
    const path = ledgerPathOf(l, loaded);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const keptAside: string[] = [];
    for (const suffix of ['', '-wal', '-shm', '-journal']) {
      if (existsSync(path + suffix)) {
        const to = `${path}.before-rebuild-${stamp}${suffix}`;
        renameSync(path + suffix, to);
        keptAside.push(to);
      }
    }
    const db = openDb(path, { busyTimeoutMs: loaded.config.ledger.busy_timeout_ms });
    const ctx = makeContext(l, loaded.config, hostId(), log, db);
    try {
      const journal = ctx.journal ? replayJournal(ctx, ctx.journal, stamp) : null;
      reconcile(ctx);
      while (intake(ctx)) ctx.ledger.flush();
      const byState: Record<string, number> = {};
      for (const j of ctx.jobs.values()) byState[j.state] = (byState[j.state] ?? 0) + 1;
      const lost = whatIsLost(journal);
      ctx.ledger.record({
        type: 'ledger_rebuilt',
        actor: 'ledger rebuild',
        detail: { kept_aside: keptAside, jobs: ctx.jobs.size, by_state: byState, replayed: journal?.replayed ?? 0, lost },
      });
      ctx.sync.flush();
      ctx.ledger.flush();
      return { ledger: path, kept_aside: keptAside, jobs: ctx.jobs.size, by_state: byState, journal, lost };
    } finally {
      ctx.journal?.close();
      db.close();
    }
  } finally {
    await lock.release().catch(() => undefined);
  }
}
