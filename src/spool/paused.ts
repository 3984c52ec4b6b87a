/**
 * paused.json: dispatch is paused (`spoolctl pause`). Written and removed only by the sentinel,
 * as it applies the request, so that a pause outlives the sentinel and reads the same on every
 * host: running jobs go on, nothing new is claimed until `spoolctl resume`.
 */
import { readFileSync } from 'node:fs';
import { errnoOf } from '../errors.js';
import { fsyncDir, publish, unlinkQuiet } from './atomic.js';
import type { Layout } from './layout.js';

export interface PauseInfo {
  /** user@host (uid) of who paused. */
  by: string;
  at: string;
  reason: string | null;
}

export function readPause(l: Layout): PauseInfo | undefined {
  try {
    return JSON.parse(readFileSync(l.paused, 'utf8')) as PauseInfo;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    // Unreadable: still paused (whoever made it meant it), by someone the file no longer names.
    return { by: 'unknown', at: '', reason: `paused.json unreadable (${(err as Error).message})` };
  }
}

export function writePause(l: Layout, info: PauseInfo): void {
  publish(l.tmp, l.paused, JSON.stringify(info));
}

export function removePause(l: Layout): void {
  unlinkQuiet(l.paused);
  fsyncDir(l.root);
}
