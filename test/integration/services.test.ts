// Acceptance (issue: operating it): start-services / stop-services, the supervisor replacing a
// worker killed with -9, recycling after worker.max_jobs with the reason in the ledger, and
// giving up on a worker that keeps crashing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostId } from '../../src/config/identity.js';
import { allDone, exitedWithin, makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

interface Rec {
  supervisor: { pid: number };
  children: { role: string; name: string; proc: { pid: number } | null; state: string; restarts: number; log: string }[];
}

const record = (t: TestSpool): Rec | undefined => {
  const path = join(t.dir, 'services', `${hostId()}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Rec) : undefined;
};

const status = (t: TestSpool) =>
  JSON.parse(t.run(['status', '--json']).stdout) as {
    sentinel: { up: boolean };
    slots: { slot: number; state: string; pid: number | null }[];
  };

/** spoolctl processes whose command line names this spool. */
function processesOf(t: TestSpool): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(t.dir) && cmd.includes('spoolctl')) out.push(`${pid}: ${cmd}`);
    } catch {
      // gone
    }
  }
  return out;
}

const fast = (worker = '', services = '') =>
  `[worker]\nheartbeat_ms = 200\nstale_after_ms = 3000\n${worker}[services]\nstop_timeout_ms = 10000\nrestart_backoff_ms = 50\n${services}`;

describe('services', () => {
  it('start-services --workers 3 runs a sentinel and 3 live workers; stop-services leaves nothing; both are safe to repeat', async () => {
    const t = makeSpool(fast());
    const started = t.run(['start-services', '--workers', '3']);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/sentinel pid \d+/);
    expect(status(t).sentinel.up).toBe(true);
    const listed = JSON.parse(t.run(['workers', 'list', '--json']).stdout) as { slots: { state: string; pid: number | null }[] };
    const live = listed.slots.filter((s) => s.state === 'idle');
    expect(live).toHaveLength(3);
    expect(live.map((s) => s.pid).sort()).toEqual(
      record(t)!
        .children.filter((c) => c.role === 'worker')
        .map((c) => c.proc!.pid)
        .sort(),
    );
    expect(record(t)!.children.filter((c) => c.role === 'worker' && c.state === 'running')).toHaveLength(3);
    const again = t.run(['start-services', '--workers', '3']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already run');
    expect(status(t).slots.filter((s) => s.state === 'idle')).toHaveLength(3);

    t.drop('a.json', manifest('a', 'noop'));
    await until('a done', () => allDone(t, ['a']));

    const stopped = t.run(['stop-services']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain('Services stopped.');
    expect(processesOf(t)).toEqual([]);
    expect(readdirSync(join(t.dir, 'slots')).filter((n) => n.startsWith('slot-'))).toEqual([]);
    expect(record(t)).toBeUndefined();
    const twice = t.run(['stop-services']);
    expect(twice.code).toBe(0);
    expect(twice.stdout).toContain('nothing to stop');
    expect(t.run(['verify']).code).toBe(0);
  });

  it('replaces a worker killed with -9 without help, and stop-services never signals a process it did not start', async () => {
    const t = makeSpool(fast());
    const outsider = t.worker(); // not started by start-services: must survive stop-services
    await until('outsider holds a slot', () => status(t).slots.some((s) => s.pid === outsider.pid));
    expect(t.run(['start-services', '--workers', '2']).code).toBe(0);
    const victim = record(t)!.children.find((c) => c.name === 'worker-1')!.proc!.pid;
    process.kill(victim, 'SIGKILL');
    const replaced = await until('worker-1 replaced', () => {
      const w = record(t)?.children.find((c) => c.name === 'worker-1');
      return w?.state === 'running' &&
        w.proc &&
        w.proc.pid !== victim &&
        status(t).slots.some((s) => s.pid === w.proc!.pid && s.state === 'idle')
        ? w
        : undefined;
    });
    expect(replaced.restarts).toBe(1);
    t.drop('b.json', manifest('b', 'noop'));
    await until('b done', () => allDone(t, ['b']));
    expect(t.run(['stop-services']).code).toBe(0);
    expect(outsider.child.exitCode).toBeNull();
    expect(processesOf(t).filter((p) => !p.startsWith(`${outsider.pid}:`))).toEqual([]);
  });

  it('recycles a worker after worker.max_jobs jobs and records the reason in the ledger', async () => {
    const t = makeSpool(fast('max_jobs = 2\n'));
    t.sentinel();
    await until('sentinel up', () => status(t).sentinel.up);
    expect(t.run(['start-services', '--workers', '1']).code).toBe(0);
    expect(record(t)!.children.map((c) => c.role)).toEqual(['worker']);
    const first = record(t)!.children[0]!.proc!.pid;
    const ids = ['r1', 'r2', 'r3'];
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('all done', () => allDone(t, ids));
    const left = await until('recycle recorded', () => t.events().find((e) => e.type === 'worker_left' && e.detail.pid === first));
    expect(String(left.detail.reason)).toContain('recycled after 2 jobs (worker.max_jobs = 2)');
    const w = record(t)!.children[0]!;
    expect(w.restarts).toBe(1);
    expect(w.proc!.pid).not.toBe(first);
    expect(t.run(['stop-services']).code).toBe(0);
  });

  it('gives up on a worker that keeps crashing, and says so in the record and the ledger', async () => {
    const t = makeSpool(fast('', 'max_restarts = 3\n'));
    t.sentinel();
    const sup = t.start(['supervise', '--workers', '1'], { SPOOLCTL_FAILPOINTS: 'heartbeat.before-write=crash' });
    const gaveUp = await until('supervisor gave up', () => record(t)?.children.find((c) => c.state === 'gave_up'));
    expect(gaveUp.name).toBe('worker-1');
    await until('the supervisor log says so', () => sup.output().includes('gave up on worker-1 after 3 crashes'));
    expect(sup.output()).toContain('gave up on worker-1 after 3 crashes');
    await until('ledger says so', () =>
      t.events().some((e) => e.type === 'worker_left' && String(e.detail.reason).includes('gave up on worker-1')),
    );
    expect(t.run(['workers', 'list']).stdout).toContain('worker-1 given up on after repeated crashes');
    expect(JSON.parse(t.run(['workers', 'list', '--json']).stdout).supervised).toMatchObject([
      { name: 'worker-1', state: 'gave_up', restarts: 2 },
    ]);
    sup.child.kill('SIGTERM');
    expect(await exitedWithin(sup, 20_000, 'on SIGTERM')).toBe(0);
    expect(record(t)).toBeUndefined();
  });
});

/** Field 3 of /proc/<pid>/stat (R, S, T, Z, ...), or undefined when the pid is gone. */
const procState = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
};

/** Processes whose command line holds every one of `words`. */
function processesWith(...words: string[]): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        return words.every((w) => cmd.includes(w)) && procState(Number(pid)) !== 'Z' ? [Number(pid)] : [];
      } catch {
        return [];
      }
    });
}

const heldSlots = (t: TestSpool) => readdirSync(join(t.dir, 'slots')).filter((n) => n.startsWith('slot-'));

describe('services: failures leave nothing behind', () => {
  it('refuses --workers above worker.max_workers at once, naming the key, its value and where it was set, and starts nothing', () => {
    const t = makeSpool(fast('max_workers = 4\n'));
    const r = t.run(['start-services', '--workers', '5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('worker.max_workers = 4');
    expect(r.stderr).toContain(join(t.dir, 'spool.toml'));
    expect(r.stdout).toBe('');
    expect(record(t)).toBeUndefined();
    expect(processesOf(t)).toEqual([]);
    expect(status(t).sentinel.up).toBe(false);
    // The count from services.workers is checked the same way, and names its layer too.
    const env = t.run(['start-services'], { SPOOLCTL_SERVICES__WORKERS: '6' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('SPOOLCTL_SERVICES__WORKERS');
    expect(env.stderr).toContain('worker.max_workers = 4');
    expect(processesOf(t)).toEqual([]);
    // Nothing was left to make a later start say "already run".
    const ok = t.run(['start-services', '--workers', '4']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).not.toContain('already run');
    expect(status(t).slots.filter((s) => s.state === 'idle')).toHaveLength(4);
    expect(t.run(['stop-services']).code).toBe(0);
    expect(processesOf(t)).toEqual([]);
  });

  it('a start-services that fails after starting some workers stops all it started and removes its record', async () => {
    // Two slots, one held by a worker start-services did not start: its second worker can
    // never take a slot, crashes, and the supervisor gives up on it.
    const t = makeSpool(fast('max_workers = 2\n', 'max_restarts = 3\n'));
    const outsider = t.worker();
    await until('outsider holds a slot', () => status(t).slots.some((s) => s.pid === outsider.pid && s.state === 'idle'));
    const r = t.run(['start-services', '--workers', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('gave up');
    expect(r.stderr).toContain('stopped everything it had started');
    expect(record(t)).toBeUndefined();
    expect(processesOf(t).filter((p) => !p.startsWith(`${outsider.pid}:`))).toEqual([]);
    expect(outsider.child.exitCode).toBeNull();
    expect(status(t).sentinel.up).toBe(false);
    expect(
      status(t)
        .slots.filter((s) => s.state !== 'free')
        .map((s) => s.pid),
    ).toEqual([outsider.pid]);
    // Nothing is left to make the next start say "already run": it starts afresh.
    const again = t.run(['start-services', '--workers', '1']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain('already run');
    expect(again.stdout).toMatch(/sentinel pid \d+/);
    expect(t.run(['stop-services']).code).toBe(0);
    expect(processesOf(t).filter((p) => !p.startsWith(`${outsider.pid}:`))).toEqual([]);
    expect(outsider.child.exitCode).toBeNull();
  });

  it('with the supervisor killed -9, stop-services stops its workers and sentinel gracefully, plugins included', async () => {
    const t = makeSpool(fast('stop_timeout_ms = 500\n'));
    expect(t.run(['start-services', '--workers', '2']).code).toBe(0);
    const rec = record(t)!;
    t.drop('long.json', manifest('long', 'work', { params: { ms: '987651' } }));
    const plugin = await until('the plugin runs', () => processesWith('work.mjs', '987651')[0]);
    await until('its worker is busy', () => status(t).slots.some((s) => s.state === 'busy'));
    process.kill(rec.supervisor.pid, 'SIGKILL');
    await until('the supervisor is dead', () => [undefined, 'Z'].includes(procState(rec.supervisor.pid)));

    const r = t.run(['stop-services']);
    expect(r.code, r.stderr).toBe(0);
    // Nothing needed SIGKILL: every worker stopped on SIGTERM (the busy one handed its job back).
    expect(r.stdout).toContain('Services stopped.');
    expect(r.stdout).toContain(`Already gone, not signalled: supervisor (pid ${rec.supervisor.pid})`);
    expect([undefined, 'Z']).toContain(procState(plugin));
    expect(processesWith('work.mjs', '987651')).toEqual([]);
    expect(processesOf(t)).toEqual([]);
    for (const w of rec.children.filter((c) => c.role === 'worker')) {
      const stops = readFileSync(w.log, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"worker stopped"'));
      expect(stops.join('\n'), w.name).toContain('"reason":"SIGTERM"');
    }
    expect(readFileSync(rec.children.find((c) => c.role === 'sentinel')!.log, 'utf8')).not.toBe('');
    expect(heldSlots(t)).toEqual([]);
    expect(record(t)).toBeUndefined();
    expect(t.files('done').length + t.files('failed').length).toBe(0);
    expect(t.run(['verify']).code).toBe(0);
  });

  it('never signals a recorded pid that now names another process, and reports it as gone', async () => {
    const t = makeSpool(fast());
    const sleepers = [0, 1, 2].map(() => spawn('sleep', ['60'], { stdio: 'ignore' }));
    try {
      await until('sleepers run', () => sleepers.every((c) => procState(c.pid!) === 'S'));
      // Same pids, other start times: what a reused pid looks like.
      const other = (pid: number) => {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return { pid, start: String(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]) + 1) };
      };
      const [sup, worker, sentinel] = sleepers.map((c) => other(c.pid!)) as [
        ReturnType<typeof other>,
        ReturnType<typeof other>,
        ReturnType<typeof other>,
      ];
      const child = (role: string, name: string, proc: { pid: number; start: string }) => ({
        role,
        name,
        proc,
        state: 'running',
        restarts: 0,
        last_exit: null,
        log: join(t.dir, 'logs', `${name}.log`),
      });
      mkdirSync(join(t.dir, 'services'), { recursive: true });
      const now = new Date().toISOString();
      writeFileSync(
        join(t.dir, 'services', `${hostId()}.json`),
        JSON.stringify({
          host: hostId(),
          supervisor: sup,
          started_at: now,
          updated_at: now,
          children: [child('sentinel', 'sentinel', sentinel), child('worker', 'worker-1', worker)],
        }),
      );
      const r = t.run(['stop-services']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`supervisor (pid ${sup.pid})`);
      expect(r.stdout).toContain(`worker-1 (pid ${worker.pid})`);
      expect(r.stdout).toContain(`sentinel (pid ${sentinel.pid})`);
      expect(r.stdout).toContain('Already gone, not signalled');
      expect(r.stdout).not.toContain('killed');
      for (const c of sleepers) expect(procState(c.pid!), `pid ${c.pid}`).toBe('S');
      await new Promise((done) => setImmediate(done));
      for (const c of sleepers) expect({ code: c.exitCode, signal: c.signalCode }).toEqual({ code: null, signal: null });
      expect(record(t)).toBeUndefined();
    } finally {
      for (const c of sleepers) c.kill('SIGKILL');
    }
  });
});
