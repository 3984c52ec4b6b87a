// Hostile input by its volume: manifests dropped into pending/ all at once, faster than a
// sentinel can admit them, complete each exactly once and the sentinel stays up. The flood
// saturates the machine, so this file runs alone (vitest.config.ts).
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doneIds, expectSentinelUp, makeSpool, manifest, until } from '../helpers/spool.js';

/**
 * The flood's size in the suite: enough to keep 4 workers and the sentinel's intake saturated
 * for a while, small enough for CI. The bench's flood scenario (bench/flood.ts) runs 20,000.
 */
const FLOOD = 3000;
/** How long the flood may take to drain. */
const FLOOD_WAIT_MS = 240_000;

describe('hostile input', () => {
  // Sized for CI: the full 20,000 is the bench's flood scenario (npm run bench -- flood).
  it(
    `completes ${FLOOD.toLocaleString('en')} manifests dropped at once, each exactly once`,
    { timeout: FLOOD_WAIT_MS + 30_000 },
    async () => {
      const N = FLOOD;
      const t = makeSpool('[sentinel]\nscan_interval_ms = 200\n');
      const sentinel = t.sentinel();
      for (let i = 0; i < 4; i++) t.worker();
      await until('sentinel up', () => (t.status() as { sentinel: { up: boolean } }).sentinel.up);
      const ids = Array.from({ length: N }, (_, i) => `flood-${String(i).padStart(5, '0')}`);
      for (const id of ids) writeFileSync(join(t.dir, 'tmp', `${id}.producer`), JSON.stringify(manifest(id, 'noop')));
      const started = Date.now();
      for (const id of ids) renameSync(join(t.dir, 'tmp', `${id}.producer`), join(t.dir, 'pending', `${id}.json`));

      const doneJobs = (): number => {
        const db = t.ledger();
        try {
          return (db.prepare("SELECT COUNT(DISTINCT job) AS n FROM events WHERE type = 'done'").get() as { n: number }).n;
        } finally {
          db.close();
        }
      };
      // poll the done/ partitions (cheap, and leaves the sentinel's ledger alone), then the ledger
      let seen = 0;
      let reported = 0;
      const elapsed = (): string => ((Date.now() - started) / 1000).toFixed(1);
      try {
        await until(
          `${N} jobs in done/`,
          () => {
            seen = doneIds(t).length;
            if (Date.now() - reported > 30_000) {
              reported = Date.now();
              console.log(`hostile flood: ${seen} of ${N} done after ${elapsed()} s`);
            }
            return seen >= N;
          },
          FLOOD_WAIT_MS,
          2000,
        );
        await until(`${N} done events in the ledger`, () => doneJobs() >= N, 20_000, 500);
      } catch (err) {
        throw new Error(
          `${(err as Error).message}: ${seen} of ${N} in done/ after ${elapsed()} s; sentinel ${sentinel.child.exitCode === null ? 'running' : `exited ${sentinel.child.exitCode}`}`,
        );
      }
      console.log(`hostile flood: ${N} no-op jobs with 4 workers took ${elapsed()} s`);

      // exactly once: one done event per job, one file per job in done/, nothing elsewhere
      const db = t.ledger();
      let perJob: { job: string; n: number }[];
      try {
        perJob = db.prepare("SELECT job, COUNT(*) AS n FROM events WHERE type = 'done' GROUP BY job").all() as { job: string; n: number }[];
      } finally {
        db.close();
      }
      expect(perJob.filter((r) => r.n !== 1)).toEqual([]);
      expect(perJob.map((r) => r.job).sort()).toEqual(ids);
      const files = doneIds(t);
      expect(files).toHaveLength(N);
      expect(new Set(files).size).toBe(N);
      expect(t.files('pending')).toEqual([]);
      expect(t.files('claimed').flatMap((slot) => t.files(`claimed/${slot}`))).toEqual([]);
      expect(t.files('failed')).toEqual([]);
      expect(t.files('rejected')).toEqual([]);
      expect(t.events().filter((e) => e.type === 'fenced' || e.type === 'rejected' || e.type === 'failed')).toEqual([]);

      const status = JSON.parse(t.run(['status', '--json']).stdout) as { counts: Record<string, number> };
      expect(status.counts.done).toBe(N);
      expect(status.counts.pending).toBe(0);
      expectSentinelUp(t, sentinel);
    },
  );
});
