/**
 * The ledger: events appended per second through the sentinel's writer (batched immediate
 * transactions, WAL, hash chain), and bytes per job after a batch.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../src/ledger/open.js';
import { LedgerWriter } from '../src/ledger/writer.js';
import type { Row } from './lib.js';
import { benchSpool, waitUntil } from './spool.js';

export async function ledger(o: { events: number; jobs: number }): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'spoolctl-bench-ledger-'));
  let rate: number;
  try {
    const db = openDb(join(dir, 'ledger.db'), { busyTimeoutMs: 5000 });
    const w = new LedgerWriter(db);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < o.events; i += 1) {
      w.record(
        { type: 'submitted', job: `j${i}`, actor: 'bench', detail: { plugin: 'noop', priority: 0, file: `pending/j${i}.json` } },
        {
          id: `j${i}`,
          state: 'pending',
          plugin: 'noop',
          priority: 0,
          attempts: 0,
          max_attempts: 3,
          file: `pending/j${i}.json`,
          submitted_at: new Date().toISOString(),
        },
      );
      if (i % 500 === 499) w.flush();
    }
    w.flush();
    rate = o.events / (Number(process.hrtime.bigint() - t0) / 1e9);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const s = benchSpool('ledger-bytes');
  let bytesPerJob: number;
  try {
    s.start('sentinel');
    for (let i = 0; i < 4; i += 1) s.start('worker');
    s.drop(Array.from({ length: o.jobs }, (_, i) => `b${i}`));
    await waitUntil(() => s.doneCount() >= o.jobs, 300_000, 50);
    // A stopped sentinel has checkpointed the WAL into the database file.
    await s.halt();
    const files = ['ledger.db', 'ledger.db-wal'].map((f) => join(s.dir, 'ledger', f));
    bytesPerJob = files.reduce((n, f) => n + (statSafe(f) ?? 0), 0) / o.jobs;
  } finally {
    await s.stop();
  }
  return [
    { scenario: 'ledger', metric: `events appended (${o.events}, batches of 500, with job rows)`, value: rate, unit: 'events/s' },
    { scenario: 'ledger', metric: `ledger bytes per job (${o.jobs} noop jobs run)`, value: bytesPerJob, unit: 'B' },
  ];
}

function statSafe(f: string): number | undefined {
  try {
    return statSync(f).size;
  } catch {
    return undefined;
  }
}
