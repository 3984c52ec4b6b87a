/**
 * `spoolctl sentinel --standby`: a sentinel on a second host that waits while the active
 * sentinel's lock is live and takes over by itself when that lock goes dead or stale, judged
 * as every lock is (src/locks.ts: by the file server's clock). The lock is the only way in, so
 * two sentinels are never active at once; a standby that took over records whom it replaced.
 * While it waits it says so in sentinel-standby-<host>.json, for `status` and the TUI.
 */
import type { Config } from '../config/schema.js';
import type { LockWatch } from '../lock-staleness.js';
import type { HeldLock } from '../locks.js';
import type { Logger } from '../log.js';
import type { HeldSignals } from '../proc.js';
import type { Layout } from '../spool/layout.js';
import { readSentinelInfo, removeStandbyInfo, writeStandbyInfo, type SentinelInfo } from '../spool/sentinel-info.js';
import { lockSpool, tryLockSpool } from './lock.js';

export interface TakenOver {
  lock: HeldLock;
  /** The sentinel it replaced, as sentinel.json last named it. */
  from: Pick<SentinelInfo, 'host' | 'pid'> | undefined;
}

/** The spool's lock: at once, or as a standby once the active sentinel is gone. */
export async function takeSpool(
  l: Layout,
  cfg: Config,
  host: string,
  log: Logger,
  signals: HeldSignals,
  standby: boolean,
): Promise<TakenOver | undefined> {
  if (standby) return standBy(l, cfg, host, log, signals);
  return { lock: await lockSpool(l, cfg, host, log), from: undefined };
}

/**
 * How often a standby looks at the lock. Its looks are kept (a LockWatch, src/lock-staleness.ts),
 * so the look that finds the lock stale takes it at once: a takeover comes at most this much
 * after the stale limit, where a look every scan interval would add a scan interval.
 */
const LOOK_EVERY_MS = 250;

/** Waits for the spool's lock; undefined when a stop signal came first. */
async function standBy(l: Layout, cfg: Config, host: string, log: Logger, signals: HeldSignals): Promise<TakenOver | undefined> {
  const since = new Date().toISOString();
  let stop: (() => void) | undefined;
  let stopped = false;
  signals.handle(() => {
    stopped = true;
    stop?.();
  });
  let waiting = false;
  let wroteMs = 0;
  const watch: LockWatch = new Map();
  try {
    while (!stopped) {
      const active = readSentinelInfo(l);
      const r = await tryLockSpool(l, cfg, host, log, watch);
      if (r.ok) {
        if (waiting) log.info('the active sentinel is gone: taking over', { from: active ? `${active.host}:${active.pid}` : 'unknown' });
        return { lock: r.lock, from: active && { host: active.host, pid: active.pid } };
      }
      if (!waiting)
        log.info('standing by: another sentinel is active', { active: r.holder ? `${r.holder.host}:${r.holder.pid}` : 'unknown' });
      waiting = true;
      if (Date.now() - wroteMs >= cfg.sentinel.scan_interval_ms) {
        writeStandbyInfo(l, { host, pid: process.pid, since });
        wroteMs = Date.now();
      }
      await new Promise<void>((resolve) => {
        stop = resolve;
        setTimeout(resolve, Math.min(cfg.sentinel.scan_interval_ms, LOOK_EVERY_MS));
      });
    }
    return undefined;
  } finally {
    removeStandbyInfo(l, host);
  }
}
