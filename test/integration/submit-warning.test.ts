// Seeds REQ-7.1: a submission with nothing to run it still succeeds (stdout: the id alone) and
// says on stderr that the job waits; with a sentinel and a worker up it says nothing.
import { describe, expect, it } from 'vitest';
import { allDone, makeSpool, until, type TestSpool } from '../helpers/spool.js';

const FAST = '[worker]\nheartbeat_ms = 200\nstale_after_ms = 3000\n';
const status = (t: TestSpool) =>
  JSON.parse(t.run(['status', '--json']).stdout) as { sentinel: { up: boolean }; slots: { state: string }[] };

describe('submit with nothing running', () => {
  it('prints the id alone on stdout and warns once on stderr that the job waits', async () => {
    const t = makeSpool(FAST);
    const alone = t.run(['submit', '--plugin', 'noop', '--id', 'w1']);
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stdout).toBe('w1\n');
    expect(alone.stderr.trim().split('\n')).toHaveLength(1);
    expect(alone.stderr).toContain('no sentinel is up and no worker holds a slot');
    expect(alone.stderr).toContain('start-services');

    t.sentinel();
    await until('sentinel up', () => status(t).sentinel.up);
    const noWorker = t.run(['submit', '--plugin', 'noop', '--id', 'w2']);
    expect(noWorker.code, noWorker.stderr).toBe(0);
    expect(noWorker.stdout).toBe('w2\n');
    expect(noWorker.stderr).toContain('no worker holds a slot');
    expect(noWorker.stderr).not.toContain('no sentinel');

    t.worker();
    await until('a worker holds a slot', () => status(t).slots.some((s) => s.state === 'idle' || s.state === 'busy'));
    const both = t.run(['submit', '--plugin', 'noop', '--id', 'w3']);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stdout).toBe('w3\n');
    expect(both.stderr).toBe('');
    await until('all done', () => allDone(t, ['w1', 'w2', 'w3']));
  });
});
