// Acceptance (issue: operating it): start-services / stop-services, the supervisor replacing a
// worker killed with -9, recycling after worker.max_jobs with the reason in the ledger, and
// giving up on a worker that keeps crashing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostId } from '../../src/config/identity.js';
import { allDone, exitedWithin, makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

interface Rec {
  supervisor: { pid: number };
  children: { role: string; name: string; proc: { pid: number } | null; state: string; restarts: number }[];
}

const record = (t: TestSpool): Rec | undefined => {
  const path = join(t.dir, 'services', `${hostId()}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Rec) : undefined;
};

const status = (t: TestSpool) => JSON.parse(t.run(['status', '--json']).stdout) as { sentinel: { up: boolean }; slots: { slot: number; state: string; pid: number | null }[] };

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
    expect(live.map((s) => s.pid).sort()).toEqual(record(t)!.children.filter((c) => c.role === 'worker').map((c) => c.proc!.pid).sort());
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
      return w?.state === 'running' && w.proc && w.proc.pid !== victim && status(t).slots.some((s) => s.pid === w.proc!.pid && s.state === 'idle') ? w : undefined;
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
    expect(sup.output()).toContain('gave up on worker-1 after 3 crashes');
    await until('ledger says so', () => t.events().some((e) => e.type === 'worker_left' && String(e.detail.reason).includes('gave up on worker-1')));
    expect(t.run(['workers', 'list']).stdout).toContain('worker-1 given up on after repeated crashes');
    expect(JSON.parse(t.run(['workers', 'list', '--json']).stdout).supervised).toMatchObject([{ name: 'worker-1', state: 'gave_up', restarts: 2 }]);
    sup.child.kill('SIGTERM');
    expect(await exitedWithin(sup, 20_000, 'on SIGTERM')).toBe(0);
    expect(record(t)).toBeUndefined();
  });
});
