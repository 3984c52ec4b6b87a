// The TUI in a real terminal: tmux at 80x24 against a live spool with a sentinel and workers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { sgrSequences } from '../helpers/ansi.js';
import { makeSpool, manifest, until } from '../helpers/spool.js';
import { keys, killServer, onScreen, pane, rawScreen, screen, tmux } from '../helpers/tmux.js';

/** SGR parameters that set a colour (foreground, background, bright, 256/truecolour); 39/49 only reset it. */
function colourCodes(raw: string): string[] {
  const found: string[] = [];
  for (const { sequence, params } of sgrSequences(raw)) {
    for (const p of params) {
      if (p === 38 || p === 48 || p === 58) {
        found.push(sequence);
        break;
      }
      if ((p >= 30 && p <= 37) || (p >= 40 && p <= 47) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107)) found.push(sequence);
    }
  }
  return found;
}

/** SGR sequences that turn on an attribute (1 bold, 7 inverse). */
function hasAttribute(raw: string, attr: number): boolean {
  return sgrSequences(raw).some(({ params }) => params.includes(attr));
}

function widest(text: string): number {
  return Math.max(...text.split('\n').map((l) => [...l].length));
}

function progressOf(text: string, job: string): string | undefined {
  return text
    .split('\n')
    .find((l) => l.includes(job))
    ?.match(/(\d+)%/)?.[1];
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
    tmux(
      'new-session',
      '-d',
      '-s',
      'tui',
      '-x',
      '80',
      '-y',
      '24',
      `${node} ${script} --spool ${t.dir} tui; echo "EXIT=$?" > ${exitFile}; sleep 60`,
    );
    await onScreen('the dashboard', (s) => s.includes('sentinel UP'), 20_000);
    // Dropped once the TUI shows, so that a slow start cannot miss them running.
    t.drop('long-a.json', manifest('long-a', 'work', { params: { ms: 15_000 } }));
    t.drop('long-b.json', manifest('long-b', 'work', { params: { ms: 15_000 } }));

    const first = await onScreen(
      'busy slots with progress',
      (s) => /busy +\S+ +long-a/.test(s) && /busy +\S+ +long-b/.test(s) && progressOf(s, 'long-a') !== undefined,
    );
    expect(first).toMatch(/sentinel UP/);
    const before = progressOf(first, 'long-a');
    await onScreen('progress changing', (s) => {
      const now = progressOf(s, 'long-a');
      return now !== undefined && now !== before;
    });
    const live = screen();
    for (const line of live.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    // Redrawn in place, never drawn over a stale frame: one header, one row per slot.
    expect(
      live.split('\n').filter((l) => l.includes('sentinel UP')),
      live,
    ).toHaveLength(1);
    expect(
      live.split('\n').filter((l) => /^1 +(idle|busy|free|draining|stale) /.test(l)),
      live,
    ).toHaveLength(1);

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
    // Acceptance: the header shows the sentinel down within 2 s of its death.
    await onScreen('sentinel shown down', (s) => s.includes('SENTINEL DOWN'), 2000);
    sentinel = t.sentinel();
    await onScreen('sentinel shown up again', (s) => s.includes('sentinel UP'), 10_000);

    keys('q');
    await until('tui exited', () => existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim() !== '', 10_000);
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=0');
    // The alternate screen is gone: the TUI's frame no longer shows.
    expect(screen()).not.toContain('sentinel UP');
  });

  it('follows resizes, says when the terminal is too small, and restores the terminal on SIGTERM and SIGHUP', async () => {
    const t = makeSpool();
    t.sentinel();
    await until('sentinel up', () => JSON.parse(t.run(['status', '--json']).stdout).sentinel.up === true);
    const [node, script] = selfCommand() as [string, string];
    /** The TUI in a tmux session of its own, after 100 lines of shell output (scrollback that must survive it). */
    const launch = (name: string, env = '', args = '') => {
      const pidFile = join(t.dir, `${name}.pid`);
      const exitFile = join(t.dir, `${name}.exit`);
      tmux(
        'new-session',
        '-d',
        '-s',
        name,
        '-x',
        '80',
        '-y',
        '24',
        `seq 100; ${env} sh -c 'echo $$ > ${pidFile}; exec ${node} ${script} --spool ${t.dir} tui ${args}'; echo "EXIT=$?" > ${exitFile}; sleep 60`,
      );
      const pid = async () => Number(await until(`${name} pid`, () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim()));
      const exited = () => until(`${name} exited`, () => existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim(), 10_000);
      return { pid, exited };
    };
    const dashboard = (s: string) => s.includes('sentinel UP') && /^# {2}STATE +HOST:PID/m.test(s) && /\? help {2}q quit/.test(s);

    // SIGTERM, with colour, through resizes.
    const a = launch('tui');
    const first = await onScreen('the dashboard', dashboard, 20_000);
    expect(pane('tui', 'alternate_on')).toBe('1');
    expect(widest(first)).toBeLessThanOrEqual(80);
    const history = Number(pane('tui', 'history_size'));
    expect(history).toBeGreaterThan(0);
    expect(colourCodes(rawScreen('tui')).length, 'the colour run shows colours').toBeGreaterThan(0);

    tmux('resize-window', '-t', 'tui', '-x', '100', '-y', '30');
    const wide = await onScreen('redrawn at 100x30', (s) => dashboard(s) && s.split('\n')[0]!.trimEnd().length === 100);
    expect(widest(wide)).toBeLessThanOrEqual(100);
    // Redrawn whole: the header, the counts, the board and the footer, each once, in their rows.
    const wideLines = wide.split('\n');
    expect(wideLines[0]).toMatch(/^spoolctl \S+ .*sentinel UP/);
    expect(wideLines[1]).toMatch(/^pending \d+ +claimed \d+ +done \d+/);
    expect(wideLines[3]).toMatch(/^# {2}STATE +HOST:PID/);
    expect(wideLines[28]).toMatch(/\? help {2}q quit/);
    expect(wideLines.filter((l) => l.includes('sentinel UP'))).toHaveLength(1);
    expect(wideLines.filter((l) => /^# {2}STATE/.test(l))).toHaveLength(1);

    tmux('resize-window', '-t', 'tui', '-x', '70', '-y', '20');
    const small = await onScreen('too small', (s) =>
      s.replace(/\s+/g, ' ').includes('Terminal too small: 70x20. spoolctl tui needs at least 80x24.'),
    );
    expect(widest(small)).toBeLessThanOrEqual(70);
    expect(small).not.toContain('sentinel UP');

    tmux('resize-window', '-t', 'tui', '-x', '80', '-y', '24');
    const back = await onScreen('the dashboard again at 80x24', (s) => dashboard(s) && !s.includes('Terminal too small'));
    expect(widest(back)).toBeLessThanOrEqual(80);
    expect(back.split('\n').filter((l) => l.includes('sentinel UP'))).toHaveLength(1);
    // Resizes never erase the pane's scrollback.
    expect(Number(pane('tui', 'history_size'))).toBeGreaterThanOrEqual(history);

    process.kill(await a.pid(), 'SIGTERM');
    expect(await a.exited()).toBe('EXIT=143');
    expect(pane('tui', 'alternate_on')).toBe('0');
    expect(pane('tui', 'cursor_flag')).toBe('1');
    expect(screen('tui')).not.toContain('sentinel UP');
    expect(screen('tui')).toMatch(/^100$/m);

    // SIGHUP, with --no-color: no colour at all, state carried by words, bold and inverse.
    const b = launch('tui-hup', '', '--no-color');
    await onScreen('the dashboard without colour', dashboard, 20_000, 'tui-hup');
    const raw = rawScreen('tui-hup');
    expect(colourCodes(raw)).toEqual([]);
    expect(hasAttribute(raw, 7), 'the selected slot and the current view are inverse').toBe(true);
    expect(hasAttribute(raw, 1), 'headings are bold').toBe(true);
    expect(pane('tui-hup', 'alternate_on')).toBe('1');
    process.kill(await b.pid(), 'SIGHUP');
    expect(await b.exited()).toBe('EXIT=129');
    expect(pane('tui-hup', 'alternate_on')).toBe('0');
    expect(pane('tui-hup', 'cursor_flag')).toBe('1');
    expect(screen('tui-hup')).not.toContain('sentinel UP');

    // NO_COLOR in the environment does the same; q quits with 0.
    const c = launch('tui-nc', 'NO_COLOR=1');
    await onScreen('the dashboard under NO_COLOR', dashboard, 20_000, 'tui-nc');
    const plain = rawScreen('tui-nc');
    expect(colourCodes(plain)).toEqual([]);
    expect(hasAttribute(plain, 7)).toBe(true);
    expect(hasAttribute(plain, 1)).toBe(true);
    tmux('send-keys', '-t', 'tui-nc', 'q');
    expect(await c.exited()).toBe('EXIT=0');
    expect(pane('tui-nc', 'alternate_on')).toBe('0');
  });

  it("stops the demo's sentinel and workers when its terminal goes away (an SSH session dropped)", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'spoolctl-e2e-demo-')), 'demo');
    try {
      const [node, script] = selfCommand() as [string, string];
      tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', `${node} ${script} demo --dir ${dir}`);
      await onScreen('the demo dashboard', (s) => s.includes('sentinel UP') && /busy +\S+ +\S+/.test(s), 30_000);
      const mine = () =>
        readdirSync('/proc').filter((pid) => {
          try {
            return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`SPOOLCTL_SPOOL=${dir}`);
          } catch {
            return false;
          }
        });
      expect(mine().length).toBeGreaterThanOrEqual(5);
      // The terminal, and every process on it, gets SIGHUP; writes to it fail from then on.
      killServer();
      await until('no demo process left', () => mine().length === 0, 30_000, 200);
      expect(readdirSync(join(dir, 'slots')).filter((n) => n.endsWith('.lock'))).toEqual([]);
      expect(existsSync(join(dir, 'sentinel.json'))).toBe(false);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  it('points to `spoolctl status` when stdin is not a terminal', () => {
    const t = makeSpool();
    const r = t.run(['tui']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('spoolctl tui needs a terminal');
    expect(r.stderr).toContain('spoolctl status --json');
  });
});
