// The real `spoolctl tui` over two spools in a real terminal (tmux, 80x24): a row each, enter
// opens a spool (its path in the header), esc comes back, q quits (exit 0) and the process is gone.
// The list can also come from tui.spools in the user's configuration file.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { makeSpool, until, type TestSpool } from '../helpers/spool.js';
import { keys, onScreen, pane, tmux } from '../helpers/tmux.js';

const scratch: string[] = [];
afterEach(() => {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The TUI's process and the file its shell writes `EXIT=<status>` to once it has reaped it. */
interface Started {
  pid: number;
  exitFile: string;
}

/** `spoolctl ARGS` in the pane, under a shell that reaps it and writes its exit status. */
async function startTui(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const [node, script] = selfCommand() as [string, string];
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const dir = mkdtempSync(join(tmpdir(), 'spoolctl-tui-exit-'));
  scratch.push(dir);
  const exitFile = join(dir, 'exit');
  const command = `env -u SPOOLCTL_SPOOL ${vars.join(' ')} ${node} ${script} ${args.join(' ')}; echo "EXIT=$?" > ${exitFile}; sleep 60`;
  tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', command);
  const shell = pane('tui', 'pane_pid');
  // env replaces itself with node: the shell's one child is the TUI.
  const pid = await until(
    'the TUI started',
    () => Number(readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim()) || undefined,
  );
  return { pid, exitFile };
}

async function twoSpoolsUp(): Promise<[TestSpool, TestSpool]> {
  const spools: [TestSpool, TestSpool] = [makeSpool(), makeSpool()];
  for (const t of spools) t.sentinel();
  await until('both sentinels up', () => spools.every((t) => t.status().sentinel.up === true), 20_000);
  return spools;
}

/** The list's row of `dir`: at 80 columns its path may keep only its end. */
const rowOf = (screen: string, dir: string) => screen.split('\n').find((l) => /^[ !] /.test(l) && l.includes(dir.slice(-16)));
const bothRows = (a: string, b: string) => (s: string) =>
  s.startsWith('spoolctl  2 spools') && / up +0 /.test(rowOf(s, a) ?? '') && / up +0 /.test(rowOf(s, b) ?? '');

/** q, then the TUI has exited 0 and its process is gone. */
async function quitsLeavingNothing({ pid, exitFile }: Started): Promise<void> {
  keys('q');
  await until('the TUI exited', () => existsSync(exitFile), 15_000);
  expect(readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=0');
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
}

describe('tui over two spools in tmux', () => {
  it('shows both rows, opens each with enter, comes back with esc and quits with q', async () => {
    const [a, b] = await twoSpoolsUp();
    const tui = await startTui(['tui', '--spool', a.dir, '--spool', b.dir]);
    const list = await onScreen('both rows', bothRows(a.dir, b.dir), 20_000);
    // The whole frame within 80x24: nothing scrolled off the top, no line wider than the pane.
    expect(list.split('\n')[1]).toContain('SENTINEL PEND  RUN DONE FAIL HELD  REJ CANC SLOTS /MIN');
    expect(Math.max(...list.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80);

    keys('Enter');
    await onScreen('the first spool', (s) => s.startsWith(`spoolctl ${a.dir} (`) && s.includes('sentinel UP'));
    keys('Escape');
    await onScreen('the list again', bothRows(a.dir, b.dir));
    keys('j');
    keys('Enter');
    await onScreen('the second spool', (s) => s.startsWith(`spoolctl ${b.dir} (`) && s.includes('sentinel UP'));
    keys('Escape');
    await onScreen('the list again', bothRows(a.dir, b.dir));
    await quitsLeavingNothing(tui);
  });

  it('takes the list from tui.spools in the user configuration file when given no --spool', async () => {
    const [a, b] = await twoSpoolsUp();
    const home = mkdtempSync(join(tmpdir(), 'spoolctl-config-'));
    scratch.push(home);
    mkdirSync(join(home, 'spoolctl'));
    writeFileSync(join(home, 'spoolctl', 'config.toml'), `[tui]\nspools = "${a.dir}, ${b.dir}"\n`);
    const tui = await startTui(['tui'], { XDG_CONFIG_HOME: home });
    await onScreen('both rows', bothRows(a.dir, b.dir), 20_000);
    keys('j');
    keys('Enter');
    await onScreen('the second spool', (s) => s.startsWith(`spoolctl ${b.dir} (`));
    await quitsLeavingNothing(tui);
  });
});
