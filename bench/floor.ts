/**
 * The floor of spoolctl's design in Node, for the throughput row: a bare sentinel and 4 bare
 * workers that move each job the way spoolctl does and nothing more. The sentinel renames
 * pending/ -> claimed/<slot>/ -> done/, fsyncs the directories it touched once a pass and
 * writes one ledger row per move in one WAL transaction a pass; a worker reads its claim,
 * starts `true` with the posix_spawn addon and publishes its result through tmp/, reusing a
 * spent result file as spoolctl's workers do. No validation, heartbeats, tokens, logs, hash
 * chain or progress. `durable: false` also drops every fsync.
 *
 * Run as `node floor.js sentinel|worker DIR [SLOT]` for its processes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DirSync, publish } from '../src/spool/atomic.js';
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
  const busy = new Set<number>();
  const sync = new DirSync();
  let queued = false;
  const pass = () => {
    queued = false;
    const rows: string[][] = [];
    const at = new Date().toISOString();
    for (const name of readdirSync(join(dir, 'results'))) {
      const r = JSON.parse(readFileSync(join(dir, 'results', name), 'utf8')) as { slot: number; claim: string };
      const from = join(dir, 'claimed', String(r.slot), r.claim);
      const to = join(dir, 'done', r.claim);
      renameSync(from, to);
      renameSync(join(dir, 'results', name), join(dir, 'tmp', `spent.${r.slot}`));
      sync.touched(from, to);
      busy.delete(r.slot);
      rows.push([r.claim, 'done', at, name]);
    }
    const free = SLOTS.filter((s) => !busy.has(s));
    const next = free.length ? readdirSync(join(dir, 'pending')).sort().slice(0, free.length) : [];
    for (const [i, name] of next.entries()) {
      const m = JSON.parse(readFileSync(join(dir, 'pending', name), 'utf8')) as { id: string };
      const slot = free[i]!;
      const from = join(dir, 'pending', name);
      const to = join(dir, 'claimed', String(slot), `${m.id}.1.json`);
      renameSync(from, to);
      sync.touched(from, to);
      busy.add(slot);
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
  let running = false;
  const scan = async () => {
    if (running) return;
    running = true;
    for (let claim; (claim = readdirSync(inbox).find((n) => !ran.has(n)));) {
      const m = JSON.parse(readFileSync(join(inbox, claim), 'utf8')) as { id: string };
      const exit = await spawner.spawn(['true'], { ...env, SPOOLCTL_JOB_ID: m.id }, dir, 1, 2).exited;
      const result = JSON.stringify({ slot, claim, exit_code: exit.code, finished_at: new Date().toISOString() });
      publish(join(dir, 'tmp'), join(dir, 'results', `${slot}.${claim}`), result, { durable, reuse: join(dir, 'tmp', `spent.${slot}`) });
      ran.add(claim);
    }
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
