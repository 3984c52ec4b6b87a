/**
 * Test helpers: real spools in temp directories, real spoolctl processes, and readers for
 * the spool and the ledger. Every process started here is killed after each test, so a
 * failing test never leaves a worker running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect } from 'vitest';
import { openSpool } from '../../src/api/spool.js';
import { getStatusReport } from '../../src/api/status.js';
import { initSpool } from '../../src/spool/init.js';
import { fixturePluginCommand } from '../../src/demo/spool.js';
import { selfCommand } from '../../src/paths.js';

const started: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  const running = started.splice(0).filter((p) => p.exitCode === null && p.signalCode === null);
  const gone = running.map((p) => new Promise((r) => p.once('exit', r)));
  for (const p of running) {
    try {
      process.kill(p.pid!, 'SIGCONT');
    } catch {
      // gone
    }
    p.kill('SIGKILL');
  }
  // Removed once nothing this file started can write into them any more.
  await Promise.all(gone);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export interface TestSpool {
  dir: string;
  /** Writes plugins/<name>.json. */
  plugin(name: string, def: Record<string, unknown>): void;
  /** Drops a manifest the way any producer may: write in tmp/, rename into pending/. */
  drop(name: string, content: string | Record<string, unknown>): void;
  run(args: string[], env?: NodeJS.ProcessEnv): { code: number; stdout: string; stderr: string };
  /**
   * What `status --json` prints, parsed (and as loosely typed as JSON.parse). Read in this
   * process when the spool is seen with this process's environment: a test that polls it
   * would otherwise start a Node process every 50 ms and starve the processes under test.
   */
  status(): ReturnType<typeof JSON.parse>;
  start(args: string[], env?: NodeJS.ProcessEnv): Proc;
  sentinel(env?: NodeJS.ProcessEnv): Proc;
  worker(args?: string[], env?: NodeJS.ProcessEnv): Proc;
  files(sub: string): string[];
  ledger(): Database.Database;
  events(job?: string): LedgerEvent[];
  job(id: string): Record<string, unknown> | undefined;
}

export interface LedgerEvent {
  seq: number;
  type: string;
  job: string | null;
  slot: number | null;
  attempt: number | null;
  actor: string | null;
  at: string;
  detail: Record<string, unknown>;
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<number | null>;
}

/** A fresh spool (in `at`, else a temp dir) whose spool.toml is `toml`; fixture plugins are installed. */
export function makeSpool(toml = '', at?: string): TestSpool {
  const dir = at ?? mkdtempSync(join(tmpdir(), 'spoolctl-test-'));
  dirs.push(dir);
  initSpool(dir);
  if (toml) writeFileSync(join(dir, 'spool.toml'), toml);
  const t = spoolAt(dir);
  t.plugin('noop', { command: ['true'] });
  // Retried at once: the tests of the backoff define plugins of their own.
  t.plugin('work', { command: fixturePluginCommand('work.mjs', '{params.ms}', '4'), retry_backoff_ms: 0 });
  t.plugin('fail', { command: fixturePluginCommand('fail.mjs', '{params.code}'), retry_backoff_ms: 0 });
  t.plugin('echo-args', { command: fixturePluginCommand('echo-args.mjs', '{input}', '{params.a}') });
  return t;
}

/**
 * An existing spool seen through `dir`, with `env` for every process started through it:
 * another mount of the same share with its own SPOOLCTL_HOST is another host. `command`
 * starts spoolctl: this checkout's, unless a test installed another.
 */
const self = selfCommand();

export function spoolAt(dir: string, baseEnv: NodeJS.ProcessEnv = {}, command: string[] = self): TestSpool {
  const [exe, ...pre] = command as [string, ...string[]];
  const t: TestSpool = {
    dir,
    plugin(name, def) {
      writeFileSync(join(dir, 'plugins', `${name}.json`), JSON.stringify({ name, ...def }));
    },
    drop(name, content) {
      const tmp = join(dir, 'tmp', `${name}.producer`);
      writeFileSync(tmp, typeof content === 'string' ? content : JSON.stringify(content));
      renameSync(tmp, join(dir, 'pending', name));
    },
    run(args, env) {
      const r = spawnSync(exe, [...pre, '--spool', dir, ...args], { encoding: 'utf8', env: { ...process.env, ...baseEnv, ...env } });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    status() {
      if (Object.keys(baseEnv).length > 0 || command !== self)
        return JSON.parse(t.run(['status', '--json']).stdout) as ReturnType<typeof JSON.parse>;
      return JSON.parse(JSON.stringify(getStatusReport(openSpool(dir)))) as ReturnType<typeof JSON.parse>;
    },
    start(args, env) {
      const child = spawn(exe, [...pre, '--spool', dir, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...baseEnv, ...env },
      });
      started.push(child);
      let out = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return { child, pid: child.pid!, output: () => out, exited };
    },
    sentinel(env) {
      return t.start(['sentinel'], env);
    },
    worker(args = [], env) {
      return t.start(['worker', ...args], env);
    },
    files(sub) {
      try {
        return readdirSync(join(dir, sub)).filter((n) => !n.endsWith('.error.json'));
      } catch {
        return [];
      }
    },
    ledger() {
      return new Database(join(dir, 'ledger', 'ledger.db'), { readonly: true });
    },
    events(job) {
      const db = t.ledger();
      try {
        const rows = (
          job === undefined
            ? db.prepare('SELECT * FROM events ORDER BY seq').all()
            : db.prepare('SELECT * FROM events WHERE job = ? ORDER BY seq').all(job)
        ) as (Omit<LedgerEvent, 'detail'> & { detail: string })[];
        return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
      } finally {
        db.close();
      }
    },
    job(id) {
      const db = t.ledger();
      try {
        return db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Record<string, unknown> | undefined;
      } finally {
        db.close();
      }
    },
  };
  return t;
}

/** The most jobs of `jobs` the ledger's events ever show claimed at once. */
export function mostAtOnce(events: LedgerEvent[], jobs: (id: string) => boolean): number {
  const running = new Set<string>();
  let most = 0;
  for (const e of events) {
    if (!e.job || !jobs(e.job)) continue;
    if (e.type === 'claimed') running.add(e.job);
    else if (['done', 'failed', 'retried', 'reclaimed', 'handed_back', 'cancelled'].includes(e.type)) running.delete(e.job);
    most = Math.max(most, running.size);
  }
  return most;
}

/** Waits until `check` returns a truthy value; throws with `what` on timeout. */
export async function until<T>(what: string, check: () => T | undefined | false | null, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits for `p` to exit; on timeout fails with what the process printed. */
export async function exitedWithin(p: Proc, ms: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`pid ${p.pid} did not exit within ${ms} ms ${what}; its output:\n${p.output()}`)), ms);
  });
  try {
    return await Promise.race([p.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every job is in done/ and the ledger has recorded it (the ledger is written after the move). */
export function allDone(t: TestSpool, ids: string[]): boolean {
  const inSpool = new Set(doneIds(t));
  if (!ids.every((id) => inSpool.has(id))) return false;
  const db = t.ledger();
  try {
    const done = new Set((db.prepare("SELECT id FROM jobs WHERE state = 'done'").all() as { id: string }[]).map((r) => r.id));
    return ids.every((id) => done.has(id));
  } finally {
    db.close();
  }
}

/** The sentinel process runs, and status sees it up. */
export function expectSentinelUp(t: TestSpool, sentinel: Proc): void {
  expect(sentinel.child.exitCode, sentinel.output()).toBeNull();
  const status = JSON.parse(t.run(['status', '--json']).stdout) as { sentinel: { up: boolean } };
  expect(status.sentinel.up, sentinel.output()).toBe(true);
}

export function isDone(t: TestSpool, id: string): boolean {
  return allDone(t, [id]);
}

/** Ids of the jobs in done/ across its day partitions. */
export function doneIds(t: TestSpool): string[] {
  return t
    .files('done')
    .flatMap((day) => t.files(`done/${day}`))
    .map((n) => n.split('.')[0]!);
}

export function manifest(id: string, plugin: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, plugin, ...extra };
}

const mounts: string[] = [];
afterEach(() => {
  for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
});

/** A small tmpfs, to run out of space for real. Fails the test loudly if it cannot be made. */
export function smallDisk(sizeKb: number): { dir: string; fill(): void; free(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'spoolctl-disk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot mount a tmpfs for the disk-full tests (run them as root): ${r.stderr}`);
  mounts.push(dir);
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      const chunk = Buffer.alloc(16 * 1024);
      const fd = openSync(filler, 'a');
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
  };
}

/** Short `work` jobs run first, so that the sentinel knows the plugin ends soon and queues behind it. */
export async function paced(t: TestSpool, n = 3): Promise<void> {
  const ids = Array.from({ length: n }, (_, i) => `pace-${i}`);
  for (const id of ids) t.drop(`${id}.json`, manifest(id, 'work', { params: { ms: 20 } }));
  await until('short jobs done', () => allDone(t, ids));
}
