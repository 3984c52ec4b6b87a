// The TUI in a real terminal: tmux at 80x24 against a live spool with a sentinel and workers.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { makeSpool, manifest, until } from '../helpers/spool.js';

const SOCKET = `spoolctl-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'tui');
const keys = (...k: string[]) => tmux('send-keys', '-t', 'tui', ...k);

afterEach(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

/** Waits until the screen passes `check`; on timeout the error shows the last screen. */
async function onScreen(what: string, check: (s: string) => boolean, ms = 15_000): Promise<string> {
  let last = '';
  try {
    return await until(what, () => {
      last = screen();
      return check(last) ? last : undefined;
    }, ms, 100);
  } catch (err) {
    throw new Error(`${(err as Error).message}; the screen:\n${last}`);
  }
}

function progressOf(text: string, job: string): string | undefined {
  return text.split('\n').find((l) => l.includes(job))?.match(/(\d+)%/)?.[1];
}

describe('tui in tmux', () => {
  it('shows live slots, opens a detail, requeues a failed job, follows the sentinel, and quits cleanly', async () => {
    expect(spawnSync('tmux', ['-V']).status, 'tmux must be installed (.ci/run installs it)').toBe(0);
    const t = makeSpool('[worker]\nheartbeat_ms = 200\n');
    let sentinel = t.sentinel();
    t.worker();
    t.worker();
    t.drop('broken.json', manifest('broken', 'fail', { params: { code: 9 }, max_attempts: 1 }));
    await until('broken failed', () => t.job('broken')?.state === 'failed');

    const [node, script] = selfCommand() as [string, string];
    const exitFile = join(t.dir, 'tui-exit');
    tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', `${node} ${script} --spool ${t.dir} tui; echo "EXIT=$?" > ${exitFile}; sleep 60`);
    await onScreen('the dashboard', (s) => s.includes('sentinel UP'), 20_000);
    // Dropped once the TUI shows, so that a slow start cannot miss them running.
    t.drop('long-a.json', manifest('long-a', 'work', { params: { ms: 15_000 } }));
    t.drop('long-b.json', manifest('long-b', 'work', { params: { ms: 15_000 } }));

    const first = await onScreen('busy slots with progress', (s) => /busy +\S+ +long-a/.test(s) && /busy +\S+ +long-b/.test(s) && progressOf(s, 'long-a') !== undefined);
    expect(first).toMatch(/sentinel UP/);
    const before = progressOf(first, 'long-a');
    await onScreen('progress changing', (s) => {
      const now = progressOf(s, 'long-a');
      return now !== undefined && now !== before;
    });
    for (const line of screen().split('\n')) expect([...line].length).toBeLessThanOrEqual(80);

    keys('2');
    keys('Right');
    keys('Right');
    await onScreen('failed tab', (s) => /broken +failed/.test(s));
    keys('Enter');
    await onScreen('job detail', (s) => s.includes('timeline') && s.includes('job broken'));
    expect(screen()).toContain('exited with code 9');
    keys('r');
    await onScreen('confirmation', (s) => s.includes('Requeue job broken (failed)? [y/N]'));
    keys('y');
    await until('requeued through the sentinel', () => t.events('broken').some((e) => e.type === 'requeued'), 10_000);
    keys('Escape');
    keys('1');

    sentinel.child.kill('SIGKILL');
    await sentinel.exited;
    await onScreen('sentinel shown down', (s) => s.includes('SENTINEL DOWN'), 5000);
    sentinel = t.sentinel();
    await onScreen('sentinel shown up again', (s) => s.includes('sentinel UP'), 10_000);

    keys('q');
    await until('tui exited', () => existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim() !== '', 10_000);
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=0');
    // The alternate screen is gone: the TUI's frame no longer shows.
    expect(screen()).not.toContain('sentinel UP');
  });

  it('points to `spoolctl status` when stdin is not a terminal', () => {
    const t = makeSpool();
    const r = t.run(['tui']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('spoolctl tui needs a terminal');
    expect(r.stderr).toContain('spoolctl status --json');
  });
});
