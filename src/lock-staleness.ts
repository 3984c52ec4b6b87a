/**
 * Judging a lock of ./locks.ts from outside: who holds it (its `held.<token>` file) and whether
 * its holder is dead or stale. The file's mtime (the directory's, while the lock holds no
 * file yet) is judged against the mtime of a probe file written next to the lock just then (the
 * file server's "now"), so neither the holder's clock nor the checker's matters. Whole-second
 * mtimes (SFTP, some SMB servers) count as the end of their second: never stale too soon. A
 * lock that looks stale is looked at again a moment later (past the attribute caches of a
 * network mount) and judged stale only if it is still stale and unchanged. A checker that looks
 * again and again (a standby sentinel) keeps its looks in a `LockWatch`: a look that finds the
 * lock stale and unchanged since a look at least that moment ago needs no second look, which
 * would only add that moment to every takeover. Same host id and a dead pid (from the lock's
 * file, else from `holder()`): dead at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errnoOf } from './errors.js';
import { monotonicMs, pidAlive } from './proc.js';
import { serverNowIn } from './spool/clock.js';

export interface Holder {
  host: string;
  pid: number;
}

export const OWNER_PREFIX = 'held.';

export interface Owner extends Holder {
  token: string;
  /** The owner file's name, `held.<token>`. */
  name: string;
}

/** The second look at a lock that seems stale comes this much later. */
function confirmAfterMs(staleMs: number): number {
  return Math.min(2000, Math.max(250, Math.floor(staleMs / 4)));
}

const tokenOf = (name: string): string => name.slice(OWNER_PREFIX.length);
export const ownerFile = (token: string): string => `${OWNER_PREFIX}${token}`;

/** The lock's owner file; undefined when there is none (being made, or its maker died before writing it). */
export function readOwner(dir: string): Owner | undefined | 'gone' {
  for (let tries = 0; tries < 3; tries += 1) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return 'gone';
      throw err;
    }
    const name = names.find((n) => n.startsWith(OWNER_PREFIX));
    if (!name) return undefined;
    try {
      const body = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Partial<Holder>;
      return { host: String(body.host ?? ''), pid: Number(body.pid ?? 0), token: tokenOf(name), name };
    } catch (err) {
      // Removed meanwhile (a listing cached by the mount): list again. Half written: the
      // token is in the name.
      if (errnoOf(err) === 'ENOENT') continue;
      return { host: '', pid: 0, token: tokenOf(name), name };
    }
  }
  return undefined;
}

interface Look {
  owner: Owner | undefined;
  mtimeMs: number;
  /** By the file server's clock; undefined when no probe could be written (then never stale). */
  ageMs: number | undefined;
}

function look(dir: string): Look | 'gone' {
  const owner = readOwner(dir);
  if (owner === 'gone') return 'gone';
  let now: number | undefined;
  try {
    // Probe first: a refresh landing between the two only makes the lock look younger.
    now = serverNowIn(dirname(dir), `.clock-probe-lock-${process.pid}`, true);
  } catch {
    now = undefined;
  }
  let mtimeMs: number;
  try {
    mtimeMs = statSync(owner ? join(dir, owner.name) : dir).mtimeMs;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return 'gone';
    throw err;
  }
  const latest = mtimeMs % 1000 === 0 ? mtimeMs + 999 : mtimeMs;
  return { owner, mtimeMs, ageMs: now === undefined ? undefined : now - latest };
}

/** A lock as one checker first saw it in its present state: owner and mtime, at a monotonic time. */
interface Seen {
  name: string | undefined;
  mtimeMs: number;
  sinceMs: number;
}

/** The looks a checker that polls has taken, by lock directory. */
export type LockWatch = Map<string, Seen>;

const sameState = (a: { name: string | undefined; mtimeMs: number }, b: Look): boolean =>
  a.name === b.owner?.name && a.mtimeMs === b.mtimeMs;

/** True when the lock looked as it does now at least the confirmation moment ago. */
function unchangedSince(watch: LockWatch | undefined, dir: string, now: Look, confirmMs: number): boolean {
  if (!watch) return false;
  const seen = watch.get(dir);
  if (seen && sameState(seen, now)) return monotonicMs() - seen.sinceMs >= confirmMs;
  watch.set(dir, { name: now.owner?.name, mtimeMs: now.mtimeMs, sinceMs: monotonicMs() });
  return false;
}

export type Verdict = { kind: 'gone' } | { kind: 'held'; owner?: Owner } | { kind: 'dead' | 'stale'; token: string | undefined };

export async function judge(
  dir: string,
  staleMs: number,
  host: string,
  holder: () => Holder | undefined,
  heldHere: (dir: string) => boolean,
  watch?: LockWatch,
): Promise<Verdict> {
  const first = look(dir);
  if (first === 'gone') return { kind: 'gone' };
  const who = first.owner?.host ? first.owner : holder();
  if (who && who.host === host) {
    const dead = who.pid === process.pid ? !heldHere(dir) : !pidAlive(who.pid);
    if (dead) return { kind: 'dead', token: first.owner?.token };
  }
  const confirmMs = confirmAfterMs(staleMs);
  const confirmed = unchangedSince(watch, dir, first, confirmMs);
  if (first.ageMs === undefined || first.ageMs <= staleMs) return { kind: 'held', owner: first.owner };
  if (confirmed) return { kind: 'stale', token: first.owner?.token };
  await new Promise((r) => setTimeout(r, confirmMs));
  const second = look(dir);
  if (second === 'gone') return { kind: 'gone' };
  const unchanged = sameState({ name: first.owner?.name, mtimeMs: first.mtimeMs }, second);
  if (!unchanged || second.ageMs === undefined || second.ageMs <= staleMs) return { kind: 'held', owner: second.owner };
  return { kind: 'stale', token: first.owner?.token };
}
