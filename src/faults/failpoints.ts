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

type Action =
  { kind: 'off' | 'crash' | 'pause' } | { kind: 'exit'; code: number } | { kind: 'sleep'; ms: number } | { kind: 'error'; code: string };

interface Point {
  action: Action;
  probability: number;
  remaining: number;
  /** How many times the point was reached, fired or not (numbered from 1 in the log line). */
  hits: number;
}

const SPEC = /^(?:(\d+(?:\.\d+)?)%)?(?:(\d+)\*)?([a-z]+)(?:\((.*)\))?$/;
const ACTIONS = 'crash, exit(code), sleep(ms), error(CODE), pause or off';

export function parseFailpoints(spec: string, source = 'SPOOLCTL_FAILPOINTS'): Map<FailpointName, Point> {
  const points = new Map<FailpointName, Point>();
  for (const part of spec
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const bad = (what: string) => new ConfigError(`${source}: in "${part}": ${what}.`);
    const eq = part.indexOf('=');
    if (eq < 0) throw bad('expected name=[P%][N*]action[(arg)] but there is no "="');
    const name = part.slice(0, eq).trim();
    const spec1 = part.slice(eq + 1).trim();
    if (!name) throw bad('the failpoint name before "=" is empty');
    if (!Object.hasOwn(FAILPOINTS, name)) throw bad(`unknown failpoint "${name}" (\`spoolctl failpoints\` lists them)`);
    const m = SPEC.exec(spec1);
    if (!m) throw bad(`cannot parse the action "${spec1}": expected [P%][N*]action[(arg)] with action ${ACTIONS}`);
    const [, pct, count, kind, arg] = m as unknown as [string, string | undefined, string | undefined, string, string | undefined];
    const noArg = () => {
      if (arg !== undefined) throw bad(`${kind} takes no argument (got "${kind}(${arg})")`);
    };
    let action: Action;
    if (kind === 'exit') {
      const code = Number(arg ?? 1);
      if (arg !== undefined && (!/^\d{1,3}$/.test(arg) || code > 255)) throw bad(`exit takes an exit code from 0 to 255 (got "${arg}")`);
      action = { kind, code };
    } else if (kind === 'sleep') {
      if (arg !== undefined && !/^\d+$/.test(arg)) throw bad(`sleep takes a whole number of milliseconds (got "${arg}")`);
      action = { kind, ms: Number(arg ?? 100) };
    } else if (kind === 'error') {
      if (arg !== undefined && arg !== '' && !/^E[A-Z0-9]+$/.test(arg))
        throw bad(`error takes an errno code such as EIO or ENOSPC (got "${arg}")`);
      action = { kind, code: arg || 'EIO' };
    } else if (kind === 'off' || kind === 'crash' || kind === 'pause') {
      noArg();
      action = { kind };
    } else throw bad(`unknown action "${kind}": expected ${ACTIONS}`);
    const probability = pct === undefined ? 1 : Number(pct) / 100;
    if (probability > 1) throw bad(`the probability "${pct}%" is over 100%`);
    points.set(name as FailpointName, { action, probability, remaining: count === undefined ? Infinity : Number(count), hits: 0 });
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
  if (seed !== undefined && seed !== '' && !/^\d+$/.test(seed.trim()))
    throw new ConfigError(`SPOOLCTL_FAILPOINTS_SEED must be a whole number (got "${seed}").`);
  active = spec ? parseFailpoints(spec) : null;
  random = seed !== undefined && seed !== '' ? seededRandom(Number(seed)) : Math.random;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs the failpoint `name` if it is armed. Returns true when it fired and its action returned
 * (sleep, pause once resumed); crash and exit do not return and error throws.
 */
export function fail(name: FailpointName): boolean {
  if (active === null) return false;
  const p = active.get(name);
  if (!p) return false;
  p.hits += 1;
  if (p.remaining <= 0 || p.action.kind === 'off') return false;
  if (p.probability < 1 && random() >= p.probability) return false;
  p.remaining -= 1;
  process.stderr.write(
    `${JSON.stringify({ at: new Date().toISOString(), level: 'warn', pid: process.pid, msg: 'failpoint fired', failpoint: name, hit: p.hits, action: p.action })}\n`,
  );
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
  return true;
}
