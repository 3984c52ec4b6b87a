// `npm start` runs `spoolctl demo`: it must finish or stop on Ctrl-C leaving no process and no
// lock behind, and lose no job.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { until } from '../helpers/spool.js';

const scratch: string[] = [];
afterEach(() => {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Pids of processes whose environment names this spool (the demo's children). */
function processesOf(spool: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`SPOOLCTL_SPOOL=${spool}`)) pids.push(Number(entry));
    } catch {
      // exited or not ours to read
    }
  }
  return pids;
}

function locksLeft(spool: string): string[] {
  return [
    ...readdirSync(join(spool, 'slots')).filter((n) => n.endsWith('.lock')),
    ...(existsSync(join(spool, 'sentinel.lock')) ? ['sentinel.lock'] : []),
  ];
}

function runDemo(dir: string) {
  const [node, script] = selfCommand() as [string, string];
  const child = spawn(node, [script, 'demo', '--dir', dir, '--exit-when-done'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return { child, out: () => out, exited: new Promise<number | null>((r) => child.once('exit', (code) => r(code))) };
}

describe('demo', () => {
  it('runs the batch to the end and leaves no process and no lock', async () => {
    const base = mkdtempSync(join(tmpdir(), 'spoolctl-demo-'));
    scratch.push(base);
    const dir = join(base, 'spool');
    const demo = runDemo(dir);
    expect(await demo.exited, demo.out()).toBe(0);
    expect(demo.out()).toContain('all jobs settled');
    // The last line's hint works as printed, from any directory, with nothing installed on PATH.
    const hint = /\(try: (.*)\)\n$/.exec(demo.out());
    expect(hint, demo.out()).not.toBeNull();
    const tried = spawnSync('sh', ['-c', hint![1]!], {
      cwd: tmpdir(),
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` },
    });
    expect(tried.status, tried.stderr).toBe(0);
    expect(tried.stdout).toContain('done');
    expect(processesOf(dir)).toEqual([]);
    expect(locksLeft(dir)).toEqual([]);
    expect(readdirSync(join(dir, 'rejected')).filter((n) => !n.endsWith('.error.json'))).toHaveLength(2);
    expect(readdirSync(join(dir, 'failed')).filter((n) => !n.endsWith('.error.json'))).toHaveLength(2);
  });

  it('stops everything it started on a Ctrl-C that comes while it is still starting', async () => {
    const base = mkdtempSync(join(tmpdir(), 'spoolctl-demo-'));
    scratch.push(base);
    const dir = join(base, 'spool');
    const demo = runDemo(dir);
    // The workers' log files are made as they are started, before the batch is submitted.
    await until('workers starting', () => existsSync(join(dir, 'logs', 'worker-1.log')), 20_000, 5);
    demo.child.kill('SIGINT');
    expect(await demo.exited, demo.out()).toBe(0);
    expect(processesOf(dir)).toEqual([]);
    expect(locksLeft(dir)).toEqual([]);
  });

  it('stops everything it started on Ctrl-C and loses no job', async () => {
    const base = mkdtempSync(join(tmpdir(), 'spoolctl-demo-'));
    scratch.push(base);
    const dir = join(base, 'spool');
    const demo = runDemo(dir);
    await until('workers busy', () => readdirSync(join(dir, 'claimed', 'slot-1')).length > 0, 20_000);
    demo.child.kill('SIGINT');
    expect(await demo.exited, demo.out()).toBe(0);
    expect(processesOf(dir)).toEqual([]);
    expect(locksLeft(dir)).toEqual([]);
    const claimed = [1, 2, 3, 4].flatMap((s) => readdirSync(join(dir, 'claimed', `slot-${s}`)));
    expect(claimed).toEqual([]);
    const count = (d: string) => readdirSync(join(dir, d)).filter((n) => !n.endsWith('.error.json')).length;
    const done = readdirSync(join(dir, 'done')).reduce((n, day) => n + readdirSync(join(dir, 'done', day)).length, 0);
    expect(count('pending') + done + count('failed') + count('rejected')).toBe(20);
  });
});
