// Acceptance (issue: the sysadmin's daily tool, item 9): a foreground sentinel or worker on a
// terminal prints short human lines in local time; JSON lines without a terminal or with
// --log-format json; --log-format human forces human lines; the worker's start line carries
// the configuration's origins only with -v. The terminal is a real pty, from script(1).
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { exitedWithin, makeSpool, manifest, until, type Proc, type TestSpool } from '../helpers/spool.js';

const HOST = 'logtest';
const HUMAN_READY = new RegExp(`^\\d\\d:\\d\\d:\\d\\d worker slot 1 ready \\(${HOST}:(\\d+), (posix_spawn|child_process)\\)\\r?$`, 'm');

const terminals: Proc[] = [];
// script(1) gone, the pty closes and what ran on it gets SIGHUP: a failed test leaves nothing.
afterEach(() => {
  for (const p of terminals.splice(0)) p.child.kill('SIGKILL');
});

/** `spoolctl --spool DIR ARGS…` with a pty for its stdin, stdout and stderr. */
function onTerminal(t: TestSpool, args: string[]): Proc {
  const line = [...selfCommand(), '--spool', t.dir, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', line, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, SPOOLCTL_HOST: HOST },
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const p = { child, pid: child.pid!, output: () => out, exited };
  terminals.push(p);
  return p;
}

/** Stops a worker started through script(1) by its own pid, as its start line names it. */
async function stopWorker(p: Proc, pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  await exitedWithin(p, 15_000, 'after SIGTERM');
}

describe('log format', () => {
  it('a worker on a terminal prints human lines: local time, process, message, host:pid and how plugins start', async () => {
    const t = makeSpool();
    t.sentinel();
    const w = onTerminal(t, ['worker']);
    const ready = await until('the human start line', () => HUMAN_READY.exec(w.output()), 15_000);
    t.drop('ok-1.json', manifest('ok-1', 'noop'));
    t.drop('bad-1.json', manifest('bad-1', 'fail', { params: { code: 3 }, max_attempts: 1 }));
    await until('both finished', () => t.job('ok-1')?.state === 'done' && t.job('bad-1')?.state === 'failed', 15_000);
    await stopWorker(w, Number(ready[1]));
    const out = w.output();
    expect(out).not.toContain('{');
    expect(out).toMatch(/^\d\d:\d\d:\d\d worker job finished \(ok-1 done on attempt 1\)\r?$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d worker job finished \(bad-1 failed on attempt 1: exited with code 3\b.*\)\r?$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d worker stopped \(slot 1, SIGTERM: 1 done, 1 failed in \d+ s\)\r?$/m);
    // Local time: the hour of the start line is this host's hour (give or take a boundary).
    const hour = Number(/^(\d\d):/m.exec(out)![1]);
    expect([new Date().getHours(), (new Date().getHours() + 23) % 24]).toContain(hour);
  });

  it('a sentinel on a terminal prints human lines too, and --log-format json gives JSON lines there', async () => {
    const t = makeSpool();
    const s = onTerminal(t, ['sentinel']);
    await until(
      'the human start line',
      () => new RegExp(`^\\d\\d:\\d\\d:\\d\\d sentinel started \\(${t.dir} on ${HOST}, scan every \\d+ ms\\)`, 'm').test(s.output()),
      15_000,
    );
    const json = onTerminal(t, ['worker', '--log-format', 'json']);
    const start = await until('the JSON start line', () =>
      json
        .output()
        .split(/\r?\n/)
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'slot 1 ready'),
    );
    expect(start).toMatchObject({ level: 'info', proc: 'worker', slot: 1, host: HOST });
    expect(start).not.toHaveProperty('config_origins');
    await stopWorker(json, start.pid as number);
    process.kill((t.status() as { sentinel: { pid: number } }).sentinel.pid, 'SIGTERM');
    await exitedWithin(s, 15_000, 'after SIGTERM');
  });

  it('without a terminal: JSON lines, config origins only with -v; --log-format human forces human lines', async () => {
    const t = makeSpool();
    const startLine = async (w: Proc) => {
      const line = await until('the start line', () =>
        w
          .output()
          .split('\n')
          .find((l) => l.includes('ready')),
      );
      w.child.kill('SIGTERM');
      await exitedWithin(w, 15_000, 'after SIGTERM');
      return line;
    };
    const plain = JSON.parse(await startLine(t.worker())) as Record<string, unknown>;
    expect(plain).toMatchObject({ msg: 'slot 1 ready', plugins_start_with: expect.any(String) as unknown });
    expect(plain).not.toHaveProperty('config_origins');
    const verbose = JSON.parse(await startLine(t.start(['-v', 'worker']))) as { config_origins: Record<string, string> };
    expect(verbose.config_origins['worker.heartbeat_ms']).toBe('default');
    expect(await startLine(t.worker(['--log-format', 'human']))).toMatch(/^\d\d:\d\d:\d\d worker slot 1 ready \(\S+:\d+, \w+\)$/);
  });
});
