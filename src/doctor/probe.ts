/**
 * The write probe and the clock. One file is published in tmp/ the way every spool file is
 * (create, write, fsync, rename, fsync the directory), read back and removed. The file
 * server sets its mtime, so it also measures how far this host's clock is from the server's:
 * heartbeats and locks are aged by the server's clock, so a skewed host is no danger to the
 * slots, but its logs, job times and `--older-than` filters are off by the skew.
 *
 * Skew: WARN above 1 s, FAIL above half of worker.stale_after_ms.
 */
import { statSync, unlinkSync } from 'node:fs';
import { nanoid } from 'nanoid';
import { SpoolIoError, errnoOf } from '../errors.js';
import { publish } from '../spool/atomic.js';
import { tmpPath } from '../spool/layout.js';
import type { Spool } from '../api/spool.js';
import { fixForErrno, pass, type Check, type CheckStatus } from './check.js';

const WARN_SKEW_MS = 1000;

/**
 * How far the server's clock is ahead of ours (negative: behind), given the local time just
 * before and just after the write: any mtime inside that window is no skew at all.
 */
export function skewMs(mtimeMs: number, before: number, after: number): number {
  if (mtimeMs < before) return mtimeMs - before;
  if (mtimeMs > after) return mtimeMs - after;
  return 0;
}

export function judgeSkew(skew: number, staleAfterMs: number): CheckStatus {
  if (Math.abs(skew) > staleAfterMs / 2) return 'fail';
  if (Math.abs(skew) > WARN_SKEW_MS) return 'warn';
  return 'pass';
}

export interface ProbeResult {
  probe: Check;
  clock: Check;
  /** The file server's clock minus ours, when the probe could measure it. */
  offsetMs: number | undefined;
}

function writeProbe(s: Spool): number {
  const target = tmpPath(s.l, `doctor.${process.pid}.${nanoid(8)}`);
  publish(s.l.tmp, target, `spoolctl doctor probe, pid ${process.pid}\n`);
  let op = 'stat';
  try {
    const { mtimeMs } = statSync(target);
    op = 'unlink';
    unlinkSync(target);
    return mtimeMs;
  } catch (err) {
    throw new SpoolIoError(op, target, err as NodeJS.ErrnoException);
  }
}

export function probeSpool(s: Spool): ProbeResult {
  const before = Date.now();
  let mtimeMs: number;
  try {
    mtimeMs = writeProbe(s);
  } catch (err) {
    const io = err instanceof SpoolIoError ? err : undefined;
    const code = io ? errnoOf(io.errno) : errnoOf(err);
    return {
      probe: {
        name: 'write-probe',
        status: 'fail',
        detail: `${io ? `${io.op} ${io.path}` : 'probe'} failed with ${code ?? (err as Error).message}`,
        fix: fixForErrno(code, s.l.tmp),
      },
      clock: {
        name: 'clock',
        status: 'warn',
        detail: 'not measured: no probe file could be written (see write-probe)',
        fix: 'fix write-probe first, then run doctor again.',
      },
      offsetMs: undefined,
    };
  }
  const after = Date.now();
  const skew = skewMs(mtimeMs, before, after);
  const stale = s.loaded.config.worker.stale_after_ms;
  const status = judgeSkew(skew, stale);
  const how =
    Math.abs(skew) < 100
      ? "agrees with the file server's within 0.1s"
      : `is ${(Math.abs(skew) / 1000).toFixed(1)}s ${skew > 0 ? 'behind' : 'ahead of'} the file server's`;
  const detail = `this host's clock ${how}; WARN above ${WARN_SKEW_MS / 1000}s, FAIL above ${stale / 2000}s (worker.stale_after_ms/2)`;
  return {
    probe: pass('write-probe', `created, wrote, fsync'ed, renamed and removed a file in ${s.l.tmp}`),
    clock:
      status === 'pass'
        ? pass('clock', detail)
        : {
            name: 'clock',
            status,
            detail,
            fix: "synchronise this host's and the file server's clocks with NTP (chrony or systemd-timesyncd).",
          },
    offsetMs: skew,
  };
}
