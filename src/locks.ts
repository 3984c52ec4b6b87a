/**
 * The locks of the sentinel and of the worker slots: `<target>.lock/`, a directory made with
 * mkdir (atomic everywhere, NFS and sshfs included), the on-disk form proper-lockfile uses.
 * A lock counts a holder and tells liveness; it never alone guards job ownership (claim names
 * and tokens do: spool-layout.md rule 5).
 *
 * Why not proper-lockfile itself: it stamps the lock's mtime with utimes() from the holder's
 * clock and judges staleness against the checker's Date.now(), so a holder whose clock is
 * 30 s behind looks dead to a checker with a right clock (and one 30 s ahead is never stale);
 * and its exit handler removes `<target>.lock` whoever holds it by then, so a holder that
 * was displaced deletes its successor's lock when it exits. Here:
 * - The lock holds one file, `held.<token>` (JSON: host, pid, token), made by the holder.
 *   The holder refreshes the lock by rewriting that file in place: the file server sets its
 *   mtime from its own clock (no client clock is written), and the directory's mtime is set
 *   to that same server time for readers that look at the directory. The name never changes,
 *   so a listing cached by a network mount is never out of date. A rewrite that finds no
 *   file (ENOENT, or ESTALE on NFS) tells the holder it lost the lock.
 * - A lock found taken is judged by ./lock-staleness.ts, by the file server's clock; a dead or
 *   stale one is broken.
 * - Breaking a lock renames it aside first, then checks it moved the lock it judged (the
 *   token): two checkers racing over one stale lock (proper-lockfile #121) cannot remove the
 *   lock that the faster one has just made.
 * - Release and the exit handler remove only the holder's own file, then the directory if it
 *   is empty: a displaced holder leaves its successor's lock alone.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { nanoid } from 'nanoid';
import { errnoOf } from './errors.js';
import { judge, OWNER_PREFIX, ownerFile, readOwner, type Holder, type LockWatch } from './lock-staleness.js';
import { monotonicMs } from './proc.js';

export interface HeldLock {
  release(): Promise<void>;
  /**
   * False once the lock has gone unrefreshed for the stale limit (a holder paused, or cut off
   * from the share): another may have taken it, and the holder must write nothing it guards.
   */
  fresh(): boolean;
}

export type LockResult = { ok: true; lock: HeldLock } | { ok: false; holder?: Holder };

/** How often a holder refreshes its lock: several times per stale period, at most every 5 s. */
export function refreshEveryMs(staleMs: number): number {
  return Math.min(5000, Math.max(250, Math.floor(staleMs / 6)));
}

/** Moves the judged lock aside and removes it; puts back a lock made meanwhile by someone else. */
function breakLock(dir: string, token: string | undefined): void {
  const aside = join(dirname(dir), `.${basename(dir)}.broken-${nanoid(8)}`);
  try {
    renameSync(dir, aside);
  } catch (err) {
    // A retransmitted rename on NFS can report ENOENT after it happened (spool-layout.md rule 4).
    if (!existsSync(aside)) {
      if (errnoOf(err) === 'ENOENT') return;
      throw err;
    }
  }
  const moved = readOwner(aside);
  const movedToken = moved && moved !== 'gone' ? moved.token : undefined;
  if (movedToken !== token) {
    try {
      renameSync(aside, dir);
      return;
    } catch {
      // The name is taken again: the lock moved aside is lost, and its holder learns so on
      // its next refresh.
    }
  }
  rmSync(aside, { recursive: true, force: true });
}

/** Makes the lock: false when it exists (or was broken under us before it was complete). */
function create(dir: string, token: string, host: string): boolean {
  try {
    mkdirSync(dir);
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    throw err;
  }
  const mine = ownerFile(token);
  try {
    writeFileSync(join(dir, mine), JSON.stringify({ host, pid: process.pid, token, at: new Date().toISOString() }), { flag: 'wx' });
    const owners = readdirSync(dir).filter((n) => n.startsWith(OWNER_PREFIX));
    if (owners.length === 1 && owners[0] === mine) return true;
    // A lock put back by breakLock replaced our empty directory: it is not ours.
    unlinkSync(join(dir, mine));
    return false;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return false;
    throw err;
  }
}

const held = new Set<Lock>();
let exitHookInstalled = false;

function heldHere(dir: string): boolean {
  for (const l of held) if (l.dir === dir) return true;
  return false;
}

class Lock implements HeldLock {
  private readonly file: string;
  private readonly body: Buffer;
  private released = false;
  private timer: NodeJS.Timeout | undefined;
  /** Monotonic, and not skewed with Date (SPOOLCTL_CLOCK_SKEW_MS). */
  private lastRefresh = monotonicMs();

  constructor(
    readonly dir: string,
    token: string,
    private readonly staleMs: number,
    private readonly onCompromised: (err: Error) => void,
  ) {
    this.file = join(dir, ownerFile(token));
    this.body = readFileSync(this.file);
    held.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const l of held) l.releaseSync();
      });
    }
    this.schedule(refreshEveryMs(staleMs));
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.refresh(), ms);
    this.timer.unref();
  }

  /** Rewrites the holder's file (never creating it): the server stamps its mtime. */
  private touch(): number {
    const fd = openSync(this.file, 'r+');
    try {
      writeSync(fd, this.body, 0, this.body.length, 0);
      return fstatSync(fd).mtimeMs;
    } finally {
      closeSync(fd);
    }
  }

  private refresh(): void {
    this.timer = undefined;
    if (this.released) return;
    let stamped: number;
    try {
      stamped = this.touch();
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT' || code === 'ESTALE') return this.compromised(`the lock ${this.dir} was taken over or removed (${code})`);
      if (monotonicMs() - this.lastRefresh > this.staleMs) {
        return this.compromised(
          `the lock ${this.dir} could not be refreshed within ${this.staleMs} ms (${code ?? (err as Error).message})`,
        );
      }
      return this.schedule(Math.min(1000, refreshEveryMs(this.staleMs)));
    }
    this.lastRefresh = monotonicMs();
    try {
      // For readers of the directory's mtime (status, doctor): the server's time just stamped.
      utimesSync(this.dir, stamped / 1000, stamped / 1000);
    } catch {
      // Only a display; the file is what liveness is judged by.
    }
    this.schedule(refreshEveryMs(this.staleMs));
  }

  fresh(): boolean {
    return !this.released && monotonicMs() - this.lastRefresh < this.staleMs;
  }

  private compromised(message: string): void {
    this.released = true;
    held.delete(this);
    if (this.timer) clearTimeout(this.timer);
    this.onCompromised(Object.assign(new Error(message), { code: 'ECOMPROMISED' }));
  }

  releaseSync(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    if (this.timer) clearTimeout(this.timer);
    try {
      // Its own token is in the name: another holder's file is never removed.
      unlinkSync(this.file);
    } catch {
      return;
    }
    try {
      rmdirSync(this.dir);
    } catch {
      // ENOTEMPTY: another holder's file is in it; ENOENT: removed meanwhile.
    }
  }

  async release(): Promise<void> {
    this.releaseSync();
  }
}

export async function tryLock(
  target: string,
  opts: {
    staleMs: number;
    host: string;
    holder: () => Holder | undefined;
    onCompromised: (err: Error) => void;
    /** For a checker that tries again and again: its earlier looks (./lock-staleness.ts). */
    watch?: LockWatch;
  },
): Promise<LockResult> {
  const stale = Math.max(opts.staleMs, 2000);
  const dir = `${target}.lock`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const token = nanoid(12);
    if (create(dir, token, opts.host)) return { ok: true, lock: new Lock(dir, token, stale, opts.onCompromised) };
    const verdict = await judge(dir, stale, opts.host, opts.holder, heldHere, opts.watch);
    if (verdict.kind === 'held') {
      const owner = verdict.owner?.host ? { host: verdict.owner.host, pid: verdict.owner.pid } : undefined;
      return { ok: false, holder: opts.holder() ?? owner };
    }
    if (verdict.kind !== 'gone') breakLock(dir, verdict.token);
  }
  return { ok: false, holder: opts.holder() };
}
