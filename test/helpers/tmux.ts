/**
 * A private tmux server for a test file: the TUI in a real terminal, its screen read back as
 * text (and with its escape sequences), keys sent to it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterEach } from 'vitest';
import { until } from './spool.js';

export const SOCKET = `spoolctl-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
export const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
export const screen = (target = 'tui') => tmux('capture-pane', '-p', '-t', target);
/** The screen with its escape sequences (colours and attributes), as tmux holds it. */
export const rawScreen = (target: string) => tmux('capture-pane', '-p', '-e', '-t', target);
export const keys = (...k: string[]) => tmux('send-keys', '-t', 'tui', ...k);
/** A tmux format variable of the pane: alternate_on, cursor_flag, history_size, pane_width... */
export const pane = (target: string, variable: string) => tmux('display-message', '-p', '-t', target, `#{${variable}}`).trim();
export const killServer = () => spawnSync('tmux', ['-L', SOCKET, 'kill-server']);

afterEach(() => {
  killServer();
});

/** Waits until the screen passes `check`; on timeout the error shows the last screen. */
export async function onScreen(what: string, check: (s: string) => boolean, ms = 15_000, target = 'tui'): Promise<string> {
  let last = '';
  try {
    return await until(
      what,
      () => {
        last = screen(target);
        return check(last) ? last : undefined;
      },
      ms,
      100,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; the screen:\n${last}`);
  }
}

/** Quits the TUI with q and waits until it has gone, so that nothing it runs outlives the test's spool. */
export async function quitTui(): Promise<void> {
  keys('q');
  await onScreen('the TUI gone', (s) => !s.includes('sentinel UP') && !s.includes('sentinel DOWN'), 15_000);
}
