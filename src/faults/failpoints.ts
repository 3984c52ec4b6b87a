/**
 * Named failpoints for fault-injection runs, configured as
 *   SPOOLCTL_FAILPOINTS="name=[P%][N*]action[(arg)];..."
 * with action one of crash (SIGKILL itself: no handler runs), exit(code), sleep(ms),
 * error(CODE) (throws an I/O error with that errno code), pause (SIGSTOP itself), off.
 * `P%` fires with that probability (seeded by SPOOLCTL_FAILPOINTS_SEED), `N*` at most N times.
 * With the variable unset, fail() is a single null check.
 */
import { ConfigError } from '../errors.js';
import { FAILPOINTS, type FailpointName } from './points.js';

type Action = { kind: 'off' | 'crash' | 'pause' } | { kind: 'exit'; code: number } | { kind: 'sleep'; ms: number } | { kind: 'error'; code: string };

interface Point {
  action: Action;
  probability: number;
  remaining: number;
}

const SPEC = /^(?:(\d+(?:\.\d+)?)%)?(?:(\d+)\*)?(off|crash|pause|exit|sleep|error)(?:\(([^)]*)\))?$/;

export function parseFailpoints(spec: string, source = 'SPOOLCTL_FAILPOINTS'): Map<FailpointName, Point> {
  const points = new Map<FailpointName, Point>();
  for (const part of spec.split(';').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    const m = SPEC.exec(part.slice(eq + 1).trim());
    if (eq <= 0 || !(name in FAILPOINTS)) throw new ConfigError(`${source}: unknown failpoint "${name || part}" (see \`spoolctl failpoints\`).`);
    if (!m) throw new ConfigError(`${source}: cannot parse "${part}": expected name=[P%][N*]action[(arg)] with action crash, exit(code), sleep(ms), error(CODE), pause or off.`);
    const [, pct, count, kind, arg] = m;
    let action: Action;
    if (kind === 'exit') action = { kind, code: Number(arg ?? 1) };
    else if (kind === 'sleep') action = { kind, ms: Number(arg ?? 100) };
    else if (kind === 'error') action = { kind, code: arg || 'EIO' };
    else action = { kind: kind as 'off' | 'crash' | 'pause' };
    points.set(name as FailpointName, { action, probability: pct === undefined ? 1 : Number(pct) / 100, remaining: count === undefined ? Infinity : Number(count) });
  }
  return points;
}

/** mulberry32: small, seedable, good enough to make a chaos run repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let active: Map<FailpointName, Point> | null = null;
let random: () => number = Math.random;

/** Called once by the CLI with the environment's settings. */
export function configureFailpoints(spec: string | undefined, seed: string | undefined): void {
  active = spec ? parseFailpoints(spec) : null;
  random = seed !== undefined && seed !== '' ? seededRandom(Number(seed)) : Math.random;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function fail(name: FailpointName): void {
  if (active === null) return;
  const p = active.get(name);
  if (!p || p.remaining <= 0 || p.action.kind === 'off') return;
  if (p.probability < 1 && random() >= p.probability) return;
  p.remaining -= 1;
  process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), level: 'warn', pid: process.pid, msg: 'failpoint fired', failpoint: name, action: p.action })}\n`);
  const a = p.action;
  switch (a.kind) {
    case 'crash':
      process.kill(process.pid, 'SIGKILL');
      sleepSync(10_000);
      break;
    case 'pause':
      process.kill(process.pid, 'SIGSTOP');
      break;
    case 'exit':
      process.exit(a.code);
      break;
    case 'sleep':
      sleepSync(a.ms);
      break;
    case 'error':
      throw Object.assign(new Error(`${a.code}: injected by failpoint ${name}`), { code: a.code });
  }
}
