// `spoolctl doctor` on real spools: healthy with a sentinel and a worker, then one broken
// thing at a time (a dead or paused worker, a missing env, a missing command, a corrupt
// ledger, a read-only spool, a world-writable directory, a skewed clock, ext4 without a
// journal), each named by the check that finds it, with the exit code that goes with it.
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Check, DoctorReport } from '../../src/api/doctor.js';
import { isDone, makeSpool, manifest, smallDisk, until, type Proc, type TestSpool } from '../helpers/spool.js';

interface Diagnosis {
  code: number;
  report: DoctorReport;
  failed: string[];
  check(name: string): Check;
}

function doctor(t: TestSpool, env?: NodeJS.ProcessEnv): Diagnosis {
  const r = t.run(['doctor', '--json'], env);
  let report: DoctorReport;
  try {
    report = JSON.parse(r.stdout) as DoctorReport;
  } catch {
    throw new Error(`doctor --json printed no JSON (exit ${r.code}): ${r.stdout}${r.stderr}`);
  }
  return {
    code: r.code,
    report,
    failed: report.checks.filter((c) => c.status === 'fail').map((c) => c.name),
    check(name) {
      const c = report.checks.find((x) => x.name === name);
      if (!c) throw new Error(`no check named ${name} in ${r.stdout}`);
      return c;
    },
  };
}

async function upAndIdle(t: TestSpool) {
  await until('sentinel up and a worker idle', () => {
    const st = JSON.parse(t.run(['status', '--json']).stdout);
    return st.sentinel.up && st.slots.some((s: { state: string }) => s.state === 'idle');
  });
}

async function stop(...ps: Proc[]) {
  for (const p of ps) p.child.kill('SIGTERM');
  await Promise.all(ps.map((p) => p.exited));
}

function heartbeatOf(t: TestSpool, slot: number): { host: string; pid: number } {
  return JSON.parse(readFileSync(join(t.dir, 'slots', `slot-${slot}.json`), 'utf8'));
}

/**
 * A real ext4 on a loop device, with or without a journal, for `use`; unmounted after.
 * Fails loudly if it cannot be made (the test needs root and a loop device).
 */
async function onExt4(journal: boolean, use: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'spoolctl-ext4-'));
  const image = `${dir}.img`;
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(`cannot make a loop-mounted ext4 (${cmd}: ${r.stderr || r.error?.message}), so this test cannot run`);
  };
  try {
    run('truncate', ['-s', '64M', image]);
    run('mkfs.ext4', ['-q', '-F', ...(journal ? [] : ['-O', '^has_journal']), image]);
    run('mount', ['-o', 'loop', image, dir]);
    try {
      await use(dir);
    } finally {
      spawnSync('umount', [dir]);
    }
  } finally {
    rmSync(image, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('doctor', () => {
  it('passes on a healthy spool with a sentinel and a worker, and leaves no probe behind', async () => {
    // On a tmpfs: the machine's own disk may be an ext4 without a journal, which doctor warns of.
    const t = makeSpool('', join(smallDisk(512 * 1024).dir, 'spool'));
    t.sentinel();
    t.worker();
    await upAndIdle(t);
    t.drop('h1.json', manifest('h1', 'noop'));
    await until('h1 done', () => isDone(t, 'h1'));
    const d = doctor(t);
    expect(d.failed, JSON.stringify(d.report, null, 2)).toEqual([]);
    expect(d.code).toBe(0);
    expect(d.report.ok).toBe(true);
    expect(d.check('sentinel').status).toBe('pass');
    expect(d.check('slots')).toMatchObject({ status: 'pass', detail: expect.stringContaining('slot 1') });
    expect(d.check('ledger')).toMatchObject({ status: 'pass', detail: expect.stringContaining('hash chain intact') });
    expect(d.check('write-probe').status).toBe('pass');
    for (const name of [
      'filesystem',
      'clock',
      'layout',
      'world-writable',
      'write-access',
      'plugins',
      'plugin-envs',
      'plugin-commands',
      'plugin-spawn',
      'disk-spool',
    ]) {
      expect(d.check(name).status, name).toBe('pass');
    }
    expect(t.files('tmp').filter((n) => n.startsWith('doctor.'))).toEqual([]);

    const human = t.run(['doctor']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^PASS {2}sentinel +up: pid \d+/m);
    expect(human.stdout).toMatch(/^OK: 0 failed, \d+ warned, \d+ passed$/m);
  });

  it('names a slot whose worker was killed, with its holder and `workers cleanup`', async () => {
    const t = makeSpool();
    const w = t.worker();
    await until('heartbeat written', () => existsSync(join(t.dir, 'slots', 'slot-1.json')));
    const { host, pid } = heartbeatOf(t, 1);
    w.child.kill('SIGKILL');
    await w.exited;
    const d = doctor(t);
    expect(d.code).toBe(1);
    expect(d.failed).toEqual(['slots']);
    const slots = d.check('slots');
    expect(slots.detail).toContain(`slot 1: dead holder ${host}:${pid}`);
    expect(slots.fix).toContain('spoolctl workers cleanup');

    const human = t.run(['doctor']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^FAIL {2}slots +slot 1: dead holder/m);
    expect(human.stdout).toMatch(/^ {6}fix: run `spoolctl workers cleanup`/m);
  });

  it('names a slot whose worker stopped beating past worker.stale_after_ms', async () => {
    const t = makeSpool('[worker]\nstale_after_ms = 1000\n');
    const w = t.worker();
    await until('heartbeat written', () => existsSync(join(t.dir, 'slots', 'slot-1.json')));
    process.kill(w.pid, 'SIGSTOP');
    const d = await until('slot 1 reported stale', () => {
      const x = doctor(t);
      return x.failed.includes('slots') && x;
    });
    expect(d.code).toBe(1);
    expect(d.check('slots').detail).toContain(`slot 1: stale holder ${heartbeatOf(t, 1).host}:${w.pid}`);
    expect(d.check('slots').fix).toContain('spoolctl workers cleanup');
  });

  it('fails on a plugin whose env_hash is not installed, naming the plugin and the hash', () => {
    const t = makeSpool();
    mkdirSync(join(t.dir, 'envs', 'env-present'), { recursive: true });
    t.plugin('has-env', { command: ['true'], env_hash: 'env-present' });
    t.plugin('needs-env', { command: ['true'], env_hash: 'env-2024-missing' });
    const d = doctor(t);
    expect(d.code).toBe(1);
    expect(d.failed).toEqual(['plugin-envs']);
    const envs = d.check('plugin-envs');
    expect(envs.detail).toContain('plugin "needs-env" needs env_hash "env-2024-missing"');
    expect(envs.detail).not.toContain('has-env');
    expect(envs.fix).toContain(join(t.dir, 'envs'));
  });

  it('fails on a plugin command that is not on PATH or not executable', () => {
    const t = makeSpool();
    t.plugin('not-on-path', { command: ['spoolctl-no-such-command', '{input}'] });
    t.plugin('not-executable', { command: [join(t.dir, 'spool.toml')] });
    const d = doctor(t);
    expect(d.code).toBe(1);
    expect(d.failed).toEqual(['plugin-commands']);
    expect(d.check('plugin-commands').detail).toContain('plugin "not-on-path": "spoolctl-no-such-command" is not found on PATH');
    expect(d.check('plugin-commands').detail).toContain(`plugin "not-executable": ${join(t.dir, 'spool.toml')} is not executable`);
  });

  it('fails on a corrupt ledger with `spoolctl ledger rebuild`', async () => {
    const t = makeSpool();
    const s = t.sentinel();
    const w = t.worker();
    const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('all done', () => ids.every((id) => isDone(t, id)));
    await stop(w, s);
    const db = join(t.dir, 'ledger', 'ledger.db');
    for (const suffix of ['-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
    // Pages from the second one on are overwritten; the first (the header) is left whole.
    const size = statSync(db).size;
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096);
    closeSync(fd);
    const d = doctor(t);
    expect(d.code).toBe(1);
    expect(d.failed).toEqual(['ledger']);
    expect(d.check('ledger').detail).toContain('is corrupt');
    expect(d.check('ledger').fix).toContain('spoolctl ledger rebuild');
    // Read through a copy: SQLite's -wal and -shm files did not appear beside the ledger.
    expect(t.files('ledger')).toEqual(['ledger.db']);
  });

  it('warns of a spool on ext4 without a journal, and not of one with a journal', async () => {
    await onExt4(false, (dir) => {
      const d = doctor(makeSpool('', join(dir, 'spool')));
      expect(d.check('filesystem')).toMatchObject({ status: 'warn', detail: expect.stringContaining('ext4 without a journal') });
      expect(d.check('filesystem').fix).toContain('tune2fs -O has_journal /dev/loop');
    });
    await onExt4(true, (dir) => {
      expect(doctor(makeSpool('', join(dir, 'spool'))).check('filesystem')).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining('ext4 /dev/loop'),
      });
    });
  });

  it('reports a read-only spool without crashing', async () => {
    const disk = smallDisk(256 * 1024);
    const t = makeSpool('', join(disk.dir, 'spool'));
    const s = t.sentinel();
    await until('sentinel up', () => t.status().sentinel.up || undefined);
    await stop(s);
    const ro = spawnSync('mount', ['-o', 'remount,ro', disk.dir], { encoding: 'utf8' });
    if (ro.status !== 0) throw new Error(`cannot remount the test tmpfs read-only, so this test cannot run: ${ro.stderr}`);
    try {
      const d = doctor(t);
      expect(d.code).toBe(1);
      expect(d.check('filesystem')).toMatchObject({ status: 'fail', detail: expect.stringContaining('mounted read-only') });
      expect(d.check('write-probe')).toMatchObject({ status: 'fail', detail: expect.stringContaining('EROFS') });
      expect(d.check('write-probe').fix).toContain('read-write');
      expect(d.check('write-access')).toMatchObject({ status: 'fail', detail: expect.stringContaining('pending/ (EROFS)') });
      expect(d.check('clock').status).toBe('warn');
      expect(d.check('ledger')).toMatchObject({ status: 'pass', detail: expect.stringContaining('checked on a copy') });
      expect(d.failed).not.toContain('sentinel');
      expect(d.report.checks.filter((c) => c.detail.startsWith('could not be checked'))).toEqual([]);
    } finally {
      spawnSync('mount', ['-o', 'remount,rw', disk.dir]);
    }
  });

  it('fails on a world-writable spool directory, which the sentinel refuses', () => {
    const t = makeSpool();
    chmodSync(join(t.dir, 'pending'), 0o777);
    const d = doctor(t);
    expect(d.code).toBe(1);
    expect(d.failed).toEqual(['world-writable']);
    expect(d.check('world-writable').detail).toContain('pending/ (777)');
    expect(d.check('world-writable').fix).toContain('chmod -R o-w');
  });

  it('warns on a skewed clock and fails on one skewed past half the stale limit', () => {
    const t = makeSpool();
    const warned = doctor(t, { SPOOLCTL_CLOCK_SKEW_MS: '-3000' });
    expect(warned.check('clock')).toMatchObject({ status: 'warn', detail: expect.stringContaining('behind the file server') });
    expect(warned.code).toBe(0);
    const failed = doctor(t, { SPOOLCTL_CLOCK_SKEW_MS: '30000' });
    expect(failed.check('clock')).toMatchObject({ status: 'fail', detail: expect.stringContaining('ahead of the file server') });
    expect(failed.check('clock').fix).toContain('NTP');
    expect(failed.code).toBe(1);
  });
});
