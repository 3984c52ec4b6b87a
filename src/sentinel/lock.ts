/** The spool's single-instance lock, held by the sentinel (and by `ledger rebuild`). */
import type { Config } from '../config/schema.js';
import { HeldError } from '../errors.js';
import type { LockWatch } from '../lock-staleness.js';
import { tryLock, type HeldLock, type LockResult } from '../locks.js';
import type { Logger } from '../log.js';
import type { Layout } from '../spool/layout.js';
import { readSentinelInfo } from '../spool/sentinel-info.js';

/** One try: the lock, or who holds it. A dead or stale holder's lock is taken (src/locks.ts). */
export function tryLockSpool(l: Layout, cfg: Config, host: string, log: Logger, watch?: LockWatch): Promise<LockResult> {
  return tryLock(l.sentinelLockTarget, {
    staleMs: cfg.worker.stale_after_ms,
    watch,
    host,
    holder: () => readSentinelInfo(l),
    onCompromised: (err) => {
      log.error('the sentinel lock was taken over; exiting so two sentinels never run', { error: err.message });
      process.exit(1);
    },
  });
}

export async function lockSpool(l: Layout, cfg: Config, host: string, log: Logger): Promise<HeldLock> {
  const lock = await tryLockSpool(l, cfg, host, log);
  if (lock.ok) return lock.lock;
  const h = lock.holder;
  throw new HeldError(
    h
      ? `The spool ${l.root} already has a sentinel: pid ${h.pid} on host ${h.host}. Stop it first, or leave it running.`
      : `The spool ${l.root} already has a sentinel (its lock ${l.sentinelLockTarget}.lock is held). Stop it first, or wait ${cfg.worker.stale_after_ms / 1000}s if it died.`,
  );
}
