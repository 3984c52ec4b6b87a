/**
 * Takes a worker slot: the lowest free one up to worker.max_workers (or the one asked for).
 * The cap is a product rule: slots above 8 do not exist, and above max_workers are refused.
 */
import { HARD_SLOT_CAP } from '../config/schema.js';
import type { Config } from '../config/schema.js';
import { HeldError, UsageError } from '../errors.js';
import { tryLock, type HeldLock } from '../locks.js';
import { slotLockTarget, type Layout } from '../spool/layout.js';
import { readSlotFiles } from '../spool/slots.js';

export interface TakenSlot {
  slot: number;
  lock: HeldLock;
}

export async function takeSlot(
  l: Layout,
  cfg: Config,
  host: string,
  wanted: number | undefined,
  onCompromised: (err: Error) => void,
): Promise<TakenSlot> {
  const max = cfg.worker.max_workers;
  if (wanted !== undefined) {
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > HARD_SLOT_CAP) {
      throw new UsageError(`Slot ${wanted} does not exist: slots are numbered 1 to ${HARD_SLOT_CAP} (the hard cap).`);
    }
    if (wanted > max)
      throw new UsageError(
        `Slot ${wanted} is above worker.max_workers = ${max}; raise worker.max_workers (hard cap ${HARD_SLOT_CAP}) to use it.`,
      );
  }
  const candidates = wanted !== undefined ? [wanted] : Array.from({ length: max }, (_, i) => i + 1);
  for (const slot of candidates) {
    const r = await tryLock(slotLockTarget(l, slot), {
      staleMs: cfg.worker.stale_after_ms,
      host,
      holder: () => readSlotFiles(l, slot).heartbeat,
      onCompromised,
    });
    if (r.ok) return { slot, lock: r.lock };
  }
  if (wanted !== undefined) throw new HeldError(`Slot ${wanted} is taken by another worker; pick another slot or stop that worker.`);
  throw new HeldError(
    `All ${max} worker slots are taken (worker.max_workers = ${max}, hard cap ${HARD_SLOT_CAP}): no worker started. Stop a worker or raise worker.max_workers.`,
  );
}
