/**
 * `spoolctl ledger rebuild`: a new ledger from the spool, for a ledger that is corrupt or
 * lost. It takes the spool's sentinel lock (the sentinel must be stopped: only one process
 * writes the ledger), keeps the old file aside, and records every job found in the spool
 * with one `reconciled` event. The jobs' history before the rebuild is what is lost.
 */
import { existsSync, renameSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import { hostId } from '../config/identity.js';
import { openDb } from '../ledger/open.js';
import { ledgerPathOf } from '../ledger/path.js';
import { makeLogger } from '../log.js';
import type { Layout } from '../spool/layout.js';
import { makeContext } from './context.js';
import { intake } from './intake.js';
import { lockSpool } from './lock.js';
import { reconcile } from './reconcile.js';

export interface RebuildReport {
  ledger: string;
  kept_aside: string[];
  jobs: number;
  by_state: Record<string, number>;
}

export async function rebuildLedger(l: Layout, loaded: LoadedConfig): Promise<RebuildReport> {
  const log = makeLogger('ledger-rebuild');
  const lock = await lockSpool(l, loaded.config, hostId(), log);
  try {
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
    try {
      const ctx = makeContext(l, loaded.config, hostId(), log, db);
      reconcile(ctx);
      while (intake(ctx)) ctx.ledger.flush();
      const byState: Record<string, number> = {};
      for (const j of ctx.jobs.values()) byState[j.state] = (byState[j.state] ?? 0) + 1;
      ctx.ledger.record({
        type: 'ledger_rebuilt',
        actor: 'ledger rebuild',
        detail: { kept_aside: keptAside, jobs: ctx.jobs.size, by_state: byState, history_lost: true },
      });
      ctx.sync.flush();
      ctx.ledger.flush();
      return { ledger: path, kept_aside: keptAside, jobs: ctx.jobs.size, by_state: byState };
    } finally {
      db.close();
    }
  } finally {
    await lock.release().catch(() => undefined);
  }
}
