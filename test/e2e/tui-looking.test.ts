// The sysadmin's view in a real terminal (tmux, a live spool): a running job's log followed
// with `l`, the dashboard's sparkline and bars, local time with its zone in the header (TZ),
// columns that grow from 80 to 132 so a long id and error show whole, and a replay (--at).
import { describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { makeSpool, manifest, until } from '../helpers/spool.js';
import { keys, onScreen, screen, tmux } from '../helpers/tmux.js';

function tuiCommand(dir: string, env: string, args: string): string {
  const [node, script] = selfCommand() as [string, string];
  return `${env} ${node} ${script} --spool ${dir} tui ${args}; sleep 60`;
}

function startTui(dir: string, env = '', args = ''): void {
  tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', tuiCommand(dir, env, args));
}

/** Another TUI in the same pane: a session killed and made again races the tmux server's exit. */
function restartTui(dir: string, env = '', args = ''): void {
  tmux('respawn-pane', '-k', '-t', 'tui', tuiCommand(dir, env, args));
}

const lastTick = (s: string) => Math.max(0, ...[...s.matchAll(/^tick (\d+)/gm)].map((m) => Number(m[1])));

describe('looking at the spool in tmux', () => {
  it('follows a running job log from its busy slot, and draws the sparkline and the age bars', async () => {
    const t = makeSpool('[worker]\nheartbeat_ms = 200\n');
    t.plugin('ticker', { command: ['sh', '-c', 'i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'] });
    t.sentinel();
    t.worker();
    t.drop('quick.json', manifest('quick', 'noop'));
    await until('quick done', () => t.job('quick')?.state === 'done');
    t.drop('later.json', manifest('later', 'noop', { not_before: '2099-01-01T00:00:00Z' }));
    startTui(t.dir);
    const dash = await onScreen('the charts', (s) => s.includes('done/min, last 30m (max 1)') && s.includes('pending by age (1)'), 20_000);
    expect(dash).toMatch(/^ {29}█ +███ +1 +0 +0 +0 +0 +0 *$/mu);
    expect(dash).toMatch(/^-30m +now +<5m +5-30m +30m-2h +2-12h +12h-2d +>2d *$/m);
    t.drop('chatty.json', manifest('chatty', 'ticker'));
    await onScreen('chatty busy', (s) => /busy +\S+ +chatty/.test(s));
    keys('l');
    const first = lastTick(await onScreen('its log', (s) => s.includes('log chatty claimed') && lastTick(s) > 0));
    await onScreen('new lines as the job prints them', (s) => s.includes('following') && lastTick(s) > first + 5);
    await onScreen('to its end once done', (s) => s.includes('log chatty done') && lastTick(s) === 100, 30_000);
    keys('Escape');
    await onScreen('the dashboard again', (s) => s.includes('done/min'));
  });

  it('shows local time with its zone (TZ) in the header, and UTC with --utc', async () => {
    const t = makeSpool();
    t.sentinel();
    t.drop('tz-1.json', manifest('tz-1', 'noop'));
    await until('admitted', () => t.job('tz-1')?.state === 'pending');
    const at = new Date(t.events('tz-1')[0]!.at);
    startTui(t.dir, 'TZ=Asia/Kolkata');
    const local = new Date(at.getTime() + 5.5 * 3600_000).toISOString().slice(11, 19);
    const s = await onScreen('local time', (x) => new RegExp(`^${local} submitted +tz-1`, 'm').test(x), 20_000);
    expect(s).toMatch(/^spoolctl .* \d\d:\d\d:\d\d \+05:30 sentinel UP/);
    keys('q');
    await onScreen('the TUI gone', (x) => !x.includes('sentinel UP'));
    restartTui(t.dir, 'TZ=Asia/Kolkata', '--utc');
    const utc = await onScreen('UTC', (x) => new RegExp(`^${at.toISOString().slice(11, 19)} submitted +tz-1`, 'm').test(x), 20_000);
    expect(utc).toMatch(/^spoolctl .* \d\d:\d\d:\d\d UTC sentinel UP/);
  });

  it('cuts a long id and error at 80 columns and shows them whole once the terminal is 132 wide', async () => {
    const id = 'nightly-archive-of-the-accounting-share-2026';
    const t = makeSpool();
    t.sentinel();
    t.worker();
    t.drop(`${id}.json`, manifest(id, 'fail', { params: { code: 7 }, max_attempts: 1 }));
    await until('failed', () => t.job(id)?.state === 'failed');
    startTui(t.dir);
    await onScreen('the dashboard', (s) => s.includes('sentinel UP'), 20_000);
    keys('2', 'L', 'L');
    const narrow = await onScreen('the failed job, cut', (s) => s.includes('nightly-archive-of-… failed'));
    expect(narrow).not.toContain(id);
    expect(narrow).not.toContain('exited with code 7 (attempt 1 of 1)');
    tmux('resize-window', '-t', 'tui', '-x', '132', '-y', '40');
    const wide = await onScreen('whole at 132', (s) =>
      new RegExp(`^${id} +failed +fail .*exited with code 7 \\(attempt 1 of 1\\)`, 'm').test(s),
    );
    expect(Math.max(...wide.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(132);
    keys('4');
    await onScreen('the events view, whole', (s) => new RegExp(`failed +${id} +slot 1 #1`).test(s));
    expect(screen()).toMatch(/^TIME +EVENT +JOB {42}WHERE/m);
  });

  it('replays a recorded moment with --at: the slot board then, a minute on, and q', async () => {
    const t = makeSpool('[worker]\nheartbeat_ms = 200\n');
    t.sentinel();
    t.worker();
    t.drop('slow.json', manifest('slow', 'work', { params: { ms: 2000 } }));
    const then = await until('slow running', () => {
      const st = t.status();
      return st.slots[0].job === 'slow' ? st : undefined;
    });
    const at = new Date().toISOString();
    await until('slow done', () => t.job('slow')?.state === 'done', 20_000);
    startTui(t.dir, '', `--at ${at}`);
    const s = await onScreen('the replay', (x) => x.includes('REPLAY') && /^1 +busy +\S+ +slow/m.test(x), 20_000);
    expect(s).toContain(`${then.slots[0].host}:${then.slots[0].pid}`);
    expect(s).toMatch(/read-only/);
    keys('>');
    await onScreen('a minute on, done', (x) => /^1 +idle .* -\s*$/m.test(x) && /done 1 /.test(x));
    keys('q');
    await onScreen('the TUI gone', (x) => !x.includes('REPLAY'));
  });
});
