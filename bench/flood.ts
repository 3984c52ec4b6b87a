/**
 * Flood: 20,000 manifests dropped into pending/ at once, a sentinel and 4 workers on local
 * disk; the time until every one is in done/, and that each completed exactly once (one done
 * event per job in the ledger). The test suite runs the same flood at a size fit for CI
 * (test/integration/hostile.test.ts); this is its full size.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Row } from './lib.js';
import { benchSpool, waitUntil } from './spool.js';

export async function flood(o: { jobs: number }): Promise<Row[]> {
  const s = benchSpool('flood', '[sentinel]\nscan_interval_ms = 200\n');
  try {
    s.start('sentinel');
    for (let i = 0; i < 4; i += 1) s.start('worker');
    await new Promise((r) => setTimeout(r, 2000));
    const ids = Array.from({ length: o.jobs }, (_, i) => `flood-${String(i).padStart(6, '0')}`);
    const t0 = s.drop(ids);
    await waitUntil(() => s.doneCount() >= o.jobs, 1_800_000, 500);
    const doneMs = Date.now() - t0;
    const once = (): { jobs: number; events: number } => {
      const db = new Database(join(s.dir, 'ledger', 'ledger.db'), { readonly: true });
      try {
        return db.prepare("SELECT COUNT(DISTINCT job) AS jobs, COUNT(*) AS events FROM events WHERE type = 'done'").get() as {
          jobs: number;
          events: number;
        };
      } finally {
        db.close();
      }
    };
    // The ledger is written after the move into done/.
    await waitUntil(() => once().jobs >= o.jobs, 60_000, 500);
    const { jobs, events } = once();
    return [
      { scenario: 'flood', metric: `${o.jobs} manifests dropped at once, 4 workers: all done`, value: doneMs, unit: 'ms' },
      {
        scenario: 'flood',
        metric: 'done events per job (exactly once)',
        value: events / jobs,
        unit: '',
        baseline: `${jobs} jobs, ${events} done events, ${s.doneCount()} files in done/`,
        target: '1',
        met: jobs === o.jobs && events === o.jobs && s.doneCount() === o.jobs,
      },
    ];
  } finally {
    await s.stop();
  }
}
