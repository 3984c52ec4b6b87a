/**
 * The floor of spoolctl's design in Node, for the throughput row: a bare sentinel and 4 bare
 * workers that move each job the way spoolctl does and nothing more. The sentinel renames
 * pending/ -> claimed/<slot>/ -> done/, fsyncs the directories it touched once a pass and
 * writes one ledger row per move in one WAL transaction a pass; a worker reads its claim,
 * starts `true` with the posix_spawn addon and reports how it ended. No validation,
 * heartbeats, tokens, logs, hash chain or progress. `durable: false` drops every fsync.
 *
 * A worker reports as spoolctl's do, through a journal in results/: a line when a job starts
 * and one when it ends, the end of one job and the start of the next in one write and one
 * fdatasync; the sentinel fdatasyncs what it read before it moves a claim, and gives each slot
 * two claims, so that a worker never waits for the sentinel between jobs.
 *
 * Run as `node floor.js sentinel|worker DIR [SLOT]` for its processes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  watch,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DirSync } from '../src/spool/atomic.js';
import { nativeSpawner } from '../src/worker/native-spawn.js';
import { machineBusyMs, measured, type Measured } from './lib.js';
import { waitUntil } from './spool.js';

const SLOTS = [1, 2, 3, 4];
const SELF = fileURLToPath(import.meta.url);

/** Jobs per second through the bare model; undefined when the addon is not built. */
export async function floorRate(jobs: number, durable: boolean): Promise<Measured | undefined> {
  if (!nativeSpawner().spawner) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'spoolctl-bench-floor-'));
  for (const d of ['tmp', 'pending', 'done', 'results', ...SLOTS.map((s) => `claimed/${s}`)]) mkdirSync(join(dir, d), { recursive: true });
  const env = { ...process.env, FLOOR_DURABLE: durable ? '1' : '' };
  const procs: ChildProcess[] = [
    fork(SELF, ['sentinel', dir], { env, stdio: 'ignore' }),
    ...SLOTS.map((s) => fork(SELF, ['worker', dir, String(s)], { env, stdio: 'ignore' })),
  ];
  try {
    await new Promise((r) => setTimeout(r, 1500));
    const ids = Array.from({ length: jobs }, (_, i) => `f${String(i).padStart(6, '0')}`);
    for (const id of ids) writeFileSync(join(dir, 'tmp', id), JSON.stringify({ id, plugin: 'noop' }));
    const cpu0 = machineBusyMs();
    const t0 = Date.now();
    for (const id of ids) renameSync(join(dir, 'tmp', id), join(dir, 'pending', `${id}.json`));
    await waitUntil(() => readdirSync(join(dir, 'done')).length >= jobs, 600_000, 50);
    return measured(jobs, t0, cpu0);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? undefined : new Promise((r) => p.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
  }
}

function sentinel(dir: string, durable: boolean): void {
  const db = new Database(join(dir, 'ledger.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, job TEXT, type TEXT, at TEXT, detail TEXT)');
  const insert = db.prepare('INSERT INTO events (job, type, at, detail) VALUES (?, ?, ?, ?)');
  const commit = db.transaction((rows: string[][]) => {
    for (const r of rows) insert.run(...r);
  });
  const depth = 2;
  const claims = new Map<number, number>(SLOTS.map((s) => [s, 0]));
  const read = new Map<string, number>();
  const sync = new DirSync();
  let queued = false;
  /** Each result as [slot, claim, detail], durable before it is returned. */
  const results = (): [number, string, string][] => {
    const found: [number, string, string][] = [];
    for (const name of readdirSync(join(dir, 'results'))) {
      const fd = openSync(join(dir, 'results', name), 'r');
      try {
        const from = read.get(name) ?? 0;
        const buf = Buffer.alloc(fstatSync(fd).size - from);
        const got = buf.length > 0 ? readSync(fd, buf, 0, buf.length, from) : 0;
        const text = buf.subarray(0, got).toString();
        const whole = text.slice(0, text.lastIndexOf('\n') + 1);
        if (!whole) continue;
        if (durable) fdatasyncSync(fd);
        read.set(name, from + Buffer.byteLength(whole));
        for (const line of whole.split('\n')) {
          if (!line) continue;
          const r = JSON.parse(line) as { slot: number; end?: string };
          if (r.end) found.push([r.slot, r.end, line]);
        }
      } finally {
        closeSync(fd);
      }
    }
    return found;
  };
  const pass = () => {
    queued = false;
    const rows: string[][] = [];
    const at = new Date().toISOString();
    for (const [slot, claim, detail] of results()) {
      const from = join(dir, 'claimed', String(slot), claim);
      const to = join(dir, 'done', claim);
      renameSync(from, to);
      sync.touched(from, to);
      claims.set(slot, claims.get(slot)! - 1);
      rows.push([claim, 'done', at, detail]);
    }
    const open = SLOTS.flatMap((s) => Array<number>(depth - claims.get(s)!).fill(s));
    const next = open.length ? readdirSync(join(dir, 'pending')).sort().slice(0, open.length) : [];
    for (const [i, name] of next.entries()) {
      const m = JSON.parse(readFileSync(join(dir, 'pending', name), 'utf8')) as { id: string };
      const slot = open[i]!;
      const from = join(dir, 'pending', name);
      const to = join(dir, 'claimed', String(slot), `${m.id}.1.json`);
      renameSync(from, to);
      sync.touched(from, to);
      claims.set(slot, claims.get(slot)! + 1);
      rows.push([m.id, 'claimed', at, String(slot)]);
    }
    if (durable) sync.flush();
    if (rows.length) commit(rows);
  };
  const poke = () => {
    if (queued) return;
    queued = true;
    setImmediate(pass);
  };
  watch(join(dir, 'pending'), poke);
  watch(join(dir, 'results'), poke);
  setInterval(poke, 500);
}

function worker(dir: string, slot: number, durable: boolean): void {
  const spawner = nativeSpawner().spawner!;
  const inbox = join(dir, 'claimed', String(slot));
  const env = { ...process.env };
  const ran = new Set<string>();
  const journal = openSync(join(dir, 'results', `${slot}.jsonl`), 'a');
  /** The last job's end line, written with the next job's start or on its own when there is none. */
  let unwritten = '';
  const append = (lines: string) => {
    writeSync(journal, lines);
    if (durable) fdatasyncSync(journal);
  };
  let running = false;
  const scan = async () => {
    if (running) return;
    running = true;
    for (
      let claim;
      (claim = readdirSync(inbox)
        .sort()
        .find((n) => !ran.has(n)));
    ) {
      const m = JSON.parse(readFileSync(join(inbox, claim), 'utf8')) as { id: string };
      append(`${unwritten}${JSON.stringify({ slot, start: claim })}\n`);
      unwritten = '';
      const exit = await spawner.spawn(['true'], { ...env, SPOOLCTL_JOB_ID: m.id }, dir, 1, 2).exited;
      const result = { slot, claim, exit_code: exit.code, finished_at: new Date().toISOString() };
      ran.add(claim);
      unwritten = `${JSON.stringify({ ...result, claim: undefined, end: claim })}\n`;
    }
    if (unwritten) append(unwritten);
    unwritten = '';
    running = false;
  };
  watch(inbox, () => void scan());
  setInterval(() => void scan(), 500);
}

if (process.argv[1] === SELF) {
  const [role, dir, slot] = process.argv.slice(2) as [string, string, string | undefined];
  const durable = process.env.FLOOR_DURABLE === '1';
  if (role === 'sentinel') sentinel(dir, durable);
  else worker(dir, Number(slot), durable);
}
