/**
 * Claim latency at low load: a manifest renamed into pending/ → its claim in claimed/, with a
 * sentinel and 4 idle workers, one job at a time. Recovery: kill -9 of a busy worker → the job
 * back in pending/ (same host: a dead pid is seen at once), and → done on another worker.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../src/proc.js';
import { median, type Row } from './lib.js';
import { benchSpool, waitUntil } from './spool.js';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

const claimedIn = (dir: string, id: string) =>
  readdirSync(join(dir, 'claimed')).some((slot) => readdirSync(join(dir, 'claimed', slot)).some((n) => n.startsWith(`${id}.`)));

export async function latency(o: { samples: number }): Promise<Row[]> {
  const s = benchSpool('latency');
  const lat: number[] = [];
  try {
    s.start('sentinel');
    for (let i = 0; i < 4; i += 1) s.start('worker');
    await sleep(2000);
    for (let i = 0; i < o.samples; i += 1) {
      const id = `l${i}`;
      const t0 = process.hrtime.bigint();
      s.drop([id]);
      await waitUntil(() => claimedIn(s.dir, id) || s.doneCount() > i, 10_000, 1);
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await waitUntil(() => s.doneCount() > i, 10_000, 5);
    }
  } finally {
    await s.stop();
  }
  const p50 = percentile(lat, 50);
  const p99 = percentile(lat, 99);
  return [
    {
      scenario: 'latency',
      metric: `claim p50 (${o.samples} jobs, one at a time)`,
      value: p50,
      unit: 'ms',
      target: '<= 10 ms',
      met: p50 <= 10,
    },
    { scenario: 'latency', metric: 'claim p99', value: p99, unit: 'ms', target: '<= 50 ms', met: p99 <= 50 },
  ];
}

export async function recovery(o: { runs: number }): Promise<Row[]> {
  const back: number[] = [];
  const done: number[] = [];
  for (let r = 0; r < o.runs; r += 1) {
    const s = benchSpool('recovery');
    try {
      s.start('sentinel');
      const victim = s.start('worker');
      await sleep(1500);
      s.drop(['busy'], 'sleep');
      await waitUntil(() => claimedIn(s.dir, 'busy'), 10_000, 5);
      await sleep(300);
      const t0 = Date.now();
      victim.kill('SIGKILL');
      await waitUntil(() => readdirSync(join(s.dir, 'pending')).some((n) => n.startsWith('busy.')), 30_000, 5);
      back.push(Date.now() - t0);
      s.start('worker');
      await waitUntil(() => s.doneCount() >= 1, 30_000, 5);
      done.push(Date.now() - t0);
    } finally {
      await s.stop();
    }
  }
  const b = median(back);
  return [
    {
      scenario: 'recovery',
      metric: `kill -9 busy worker -> job back in pending/ (median of ${o.runs})`,
      value: b,
      unit: 'ms',
      target: '< 2000 ms',
      met: b < 2000,
    },
    { scenario: 'recovery', metric: 'kill -9 -> done by a worker started then (job runs 2 s)', value: median(done), unit: 'ms' },
  ];
}
