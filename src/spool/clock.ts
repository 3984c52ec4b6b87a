/**
 * The file server's clock. Heartbeat mtimes are set by the server that holds the spool (on
 * NFS, not by the worker's host), so staleness is judged against a probe file's mtime. The
 * probe lives in the spool's top directory, which nobody watches: writing it must not wake
 * the sentinel, and tmp/ belongs to producers.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpoolIoError } from '../errors.js';
import { unlinkQuiet } from './atomic.js';
import type { Layout } from './layout.js';

/**
 * The server's "now" as seen from `dir`: the mtime of the probe file `name` written there
 * just now, removed afterwards when `remove` (for callers that probe rarely, such as a lock
 * judged by the directory it lives in). No local clock is read.
 */
export function serverNowIn(dir: string, name: string, remove = false): number {
  const probe = join(dir, name);
  try {
    writeFileSync(probe, String(process.pid));
    return statSync(probe).mtimeMs;
  } catch (err) {
    throw new SpoolIoError('write clock probe', probe, err as NodeJS.ErrnoException);
  } finally {
    if (remove) unlinkQuiet(probe);
  }
}

/** The server's "now": the mtime of a probe file written just now. */
export function fileServerNow(l: Layout, who: string): number {
  return serverNowIn(l.root, `.clock-probe-${who}`);
}

/**
 * For a process that asks many times a second: the server's offset from the local clock,
 * probed again once it is `everyMs` old. Clocks drift by far less than a heartbeat per second.
 * A probe that cannot be written (a full disk) keeps the last offset: judging liveness must
 * not stop dispatch.
 */
export class FileServerClock {
  private offset = 0;
  private probedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly l: Layout,
    private readonly who: string,
    private readonly onProbeError: (err: Error) => void,
    private readonly everyMs = 1000,
  ) {}

  now(): number {
    const local = Date.now();
    if (local - this.probedAt >= this.everyMs) {
      this.probedAt = local;
      try {
        this.offset = fileServerNow(this.l, this.who) - local;
      } catch (err) {
        this.onProbeError(err as Error);
      }
    }
    return local + this.offset;
  }
}
