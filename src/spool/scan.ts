/**
 * Directory listings of the spool. A missing directory reads as empty (a half-initialised
 * spool is reported by `doctor`, not by a crash in a loop); other errors name the path.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SpoolIoError, errnoOf } from '../errors.js';
import { HARD_SLOT_CAP } from '../config/schema.js';
import {
  ERROR_SUFFIX,
  claimDir,
  doneDayPath,
  parseClaimName,
  parseStateName,
  type ClaimName,
  type Layout,
  type StateName,
} from './layout.js';

export function listNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw new SpoolIoError('list', dir, err as NodeJS.ErrnoException);
  }
}

export interface StateEntry extends StateName {
  name: string;
  path: string;
}

export interface Listing {
  jobs: StateEntry[];
  /** Names that are neither job files nor their error siblings. */
  strays: string[];
}

/** Lists a flat state directory (pending/, held/, failed/). */
export function listStateDir(dir: string): Listing {
  const jobs: StateEntry[] = [];
  const strays: string[] = [];
  for (const name of listNames(dir)) {
    if (name.endsWith(ERROR_SUFFIX)) continue;
    const parsed = parseStateName(name);
    if (parsed) jobs.push({ ...parsed, name, path: join(dir, name) });
    else strays.push(name);
  }
  return { jobs, strays };
}

/** Lists done/ across its day partitions. Costly on a big spool: start-up and verify only. */
export function listDone(l: Layout): StateEntry[] {
  const out: StateEntry[] = [];
  for (const day of listNames(l.done).sort()) {
    out.push(...listStateDir(doneDayPath(l, day)).jobs);
  }
  return out;
}

export interface SlotClaims {
  claims: ClaimName[];
  strays: string[];
}

export function listClaims(l: Layout, slot: number): SlotClaims {
  const claims: ClaimName[] = [];
  const strays: string[] = [];
  for (const name of listNames(claimDir(l, slot))) {
    const c = parseClaimName(slot, name);
    if (c) claims.push(c);
    else strays.push(name);
  }
  return { claims, strays };
}

export function allSlotNumbers(): number[] {
  return Array.from({ length: HARD_SLOT_CAP }, (_, i) => i + 1);
}

export function mtimeMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw new SpoolIoError('stat', path, err as NodeJS.ErrnoException);
  }
}
