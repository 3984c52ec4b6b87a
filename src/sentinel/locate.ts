/**
 * Finds where a job's file is now. The ledger's last known place is tried first and checked
 * on disk; if it is stale, the small directories are listed (done/ is found by the ledger).
 */
import { exists } from '../spool/atomic.js';
import { claimPath, entryParts, isValidId, parseStateName, spoolPath, type ClaimName, type JobState } from '../spool/layout.js';
import { listStateDir } from '../spool/scan.js';
import type { SentinelContext } from './context.js';

export interface Located {
  state: JobState;
  path: string;
  name: string;
  attempts: number;
  claim?: ClaimName;
}

export function locate(ctx: SentinelContext, id: string): Located | undefined {
  if (!isValidId(id)) return undefined;
  const hint = ctx.jobs.get(id)?.file;
  if (hint && exists(spoolPath(ctx.l, hint))) {
    const { top, name } = entryParts(hint);
    const state = top as JobState;
    if (state !== 'claimed') {
      const parsed = parseStateName(name);
      if (parsed) return { state, path: spoolPath(ctx.l, hint), name, attempts: parsed.attempts };
    }
  }
  for (const [, claims] of ctx.claims) {
    const c = claims.find((x) => x.id === id);
    if (c) return { state: 'claimed', path: claimPath(ctx.l, c), name: hint ? entryParts(hint).name : '', attempts: c.attempt, claim: c };
  }
  for (const state of ['pending', 'held', 'failed', 'cancelled'] as const) {
    const hit = listStateDir(ctx.l[state]).jobs.find((j) => j.id === id);
    if (hit) return { state, path: hit.path, name: hit.name, attempts: hit.attempts };
  }
  return undefined;
}
