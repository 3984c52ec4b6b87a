/**
 * Scale: 100k jobs in the ledger (90k done, 10k pending in pending/). Measures `status --json`,
 * the sentinel's CPU while idle, and the TUI's first frame and memory in a real terminal (tmux).
 * The ledger is built by `spoolctl ledger rebuild` from files written here, the same code path
 * a site uses after losing a ledger.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initSpool } from '../src/spool/init.js';
import { selfCommand } from '../src/paths.js';
import { cpuMs, median, rssMb, timeCommand, type Row } from './lib.js';

export interface ScaleOptions {
  done: number;
  pending: number;
  idleSeconds: number;
}

export async function scale(o: ScaleOptions): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'spoolctl-bench-scale-'));
  try {
    const l = initSpool(dir);
    writeFileSync(join(l.plugins, 'noop.json'), JSON.stringify({ name: 'noop', command: ['true'] }));
    const day = join(l.done, new Date().toISOString().slice(0, 10));
    mkdirSync(day, { recursive: true });
    for (let i = 0; i < o.done; i += 1) writeFileSync(join(day, `done-${i}.1.json`), `{"id":"done-${i}","plugin":"noop"}`);
    for (let i = 0; i < o.pending; i += 1)
      writeFileSync(join(l.pending, `pend-${i}.json`), `{"id":"pend-${i}","plugin":"noop","priority":${i % 5}}`);
    const [node, script] = selfCommand() as [string, string];
    const cli = (...args: string[]) => [node, script, '--spool', dir, ...args];
    const t0 = Date.now();
    execFileSync(cli('ledger', 'rebuild')[0]!, cli('ledger', 'rebuild').slice(1), { stdio: 'ignore' });
    const rebuildMs = Date.now() - t0;

    const sentinel = spawn(node, [script, '--spool', dir, 'sentinel'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 3000));
    const statusMs = timeCommand(cli('status', '--json'), 5);
    const floorMs = timeCommand([node, '-e', ''], 5);
    const c0 = cpuMs(sentinel.pid!);
    await new Promise((r) => setTimeout(r, o.idleSeconds * 1000));
    const idleCpu = ((cpuMs(sentinel.pid!) - c0) / (o.idleSeconds * 1000)) * 100;

    const tui = tuiFirstFrame(dir);
    sentinel.kill('SIGTERM');
    await new Promise((r) => sentinel.once('exit', r));
    const jobs = `${o.done + o.pending} jobs, ${o.pending} pending`;
    return [
      { scenario: 'scale', metric: `ledger rebuild (${jobs})`, value: rebuildMs, unit: 'ms' },
      {
        scenario: 'scale',
        metric: 'status --json',
        value: statusMs,
        unit: 'ms',
        baseline: `node start ${floorMs.toFixed(0)} ms`,
        target: '< 300 ms',
        met: statusMs < 300,
      },
      { scenario: 'scale', metric: `sentinel idle CPU (${o.idleSeconds}s)`, value: idleCpu, unit: '%', target: '< 2%', met: idleCpu < 2 },
      {
        scenario: 'scale',
        metric: 'TUI first frame',
        value: tui.firstFrameMs,
        unit: 'ms',
        baseline: `node start ${floorMs.toFixed(0)} ms`,
        target: '< 1000 ms',
        met: tui.firstFrameMs < 1000,
      },
      { scenario: 'scale', metric: 'TUI memory (RSS)', value: tui.rssMb, unit: 'MB', target: '< 150 MB', met: tui.rssMb < 150 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function tuiFirstFrame(dir: string): { firstFrameMs: number; rssMb: number } {
  const socket = `spoolctl-bench-${process.pid}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  if (tmux('-V').status !== 0) throw new Error('tmux is needed for the TUI measurements (apt-get install tmux)');
  const [node, script] = selfCommand() as [string, string];
  const frames: number[] = [];
  let rss = 0;
  for (let run = 0; run < 3; run += 1) {
    const t0 = Date.now();
    tmux('new-session', '-d', '-s', 'bench', '-x', '80', '-y', '24', `${node} ${script} --spool ${dir} tui`);
    let at = 0;
    while (Date.now() - t0 < 10_000) {
      if (tmux('capture-pane', '-p', '-t', 'bench').stdout.includes('sentinel UP')) {
        at = Date.now() - t0;
        break;
      }
      spawnSync('sleep', ['0.01']);
    }
    frames.push(at || 10_000);
    spawnSync('sleep', ['3']);
    const pid = Number(tmux('list-panes', '-t', 'bench', '-F', '#{pane_pid}').stdout.trim());
    try {
      rss = Math.max(rss, rssMb(pid));
    } catch {
      // the pane's process ended
    }
    tmux('kill-server');
  }
  return { firstFrameMs: median(frames), rssMb: rss };
}
