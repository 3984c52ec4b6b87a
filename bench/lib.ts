/** Bench helpers: time a command, read a process's CPU and memory, median, a fixed-width table. */
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { ext4HasJournal, mountOf, readMounts } from '../src/doctor/mounts.js';
import { filesystemOf } from '../src/spool/filesystem.js';

export interface Row {
  scenario: string;
  metric: string;
  value: number | string;
  unit: string;
  baseline?: string;
  target?: string;
  met?: boolean;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall time of a command in ms, median of `runs`. */
export function timeCommand(argv: string[], runs: number, env: NodeJS.ProcessEnv = process.env): number {
  return timeCommands([argv], runs, env)[0]!;
}

/**
 * Wall time of each command in ms, median of `runs`, the commands taking turns: a machine
 * whose speed drifts during the run moves them all alike.
 */
export function timeCommands(argvs: string[][], runs: number, env: NodeJS.ProcessEnv = process.env): number[] {
  const times = argvs.map((): number[] => []);
  for (let i = 0; i < runs; i += 1) {
    for (const [c, argv] of argvs.entries()) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
      times[c]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return times.map(median);
}

/** CPU time (user + system) of a process, in ms. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

/**
 * CPU time the whole machine has spent busy (all but idle and iowait), in ms; undefined off
 * Linux. On a machine that a flood keeps busy, throughput is cores divided by this per job.
 */
export function machineBusyMs(): number | undefined {
  try {
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return ((total - ticks[3]! - ticks[4]!) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** A rate of jobs, with the machine's CPU per job when it can be read. */
export interface Measured {
  rate: number;
  cpuMsPerJob?: number;
}

/** `jobs` finished now, started at `t0` (Date.now()) with the machine busy for `cpu0` ms. */
export function measured(jobs: number, t0: number, cpu0: number | undefined): Measured {
  const rate = jobs / ((Date.now() - t0) / 1000);
  const cpu1 = machineBusyMs();
  return cpu0 === undefined || cpu1 === undefined ? { rate } : { rate, cpuMsPerJob: (cpu1 - cpu0) / jobs };
}

export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** Cores, Node, and the filesystem the scratch spools live on (the bench makes them in tmpdir). */
export function machine(): string {
  const fs = filesystemOf(tmpdir()).type;
  return `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, spools on ${fs}${fs === 'ext4' ? journalNote(tmpdir()) : ''} (${tmpdir()})`;
}

/**
 * ext4 without a journal makes every file creation scan past recently freed inodes, which
 * moves the throughput row by a factor of two: the figures say which kind they ran on.
 */
function journalNote(dir: string): string {
  const mount = mountOf(readMounts() ?? [], realpathSync(dir));
  const journal = mount ? ext4HasJournal(mount.source) : undefined;
  return journal === undefined ? '' : journal ? ' with a journal' : ' without a journal';
}

export function printTable(rows: Row[]): void {
  const cells = rows.map((r) => [
    r.scenario,
    r.metric,
    `${typeof r.value === 'number' ? round(r.value) : r.value} ${r.unit}`,
    r.baseline ?? '',
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const head = ['scenario', 'metric', 'spoolctl', 'baseline (same run)', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${cells.map(line).join('\n')}\n`);
}

export function round(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}
