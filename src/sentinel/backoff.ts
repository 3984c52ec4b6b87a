/**
 * When a failed attempt's job may run again (spool-layout.md, "Scheduling"): the plugin's
 * retry_backoff_ms, else jobs.retry_backoff_ms, doubled for each attempt made, capped at
 * jobs.retry_backoff_max_ms, then spread by ±20% so that jobs that failed together (a service
 * down) do not all come back at the same moment.
 */
import type { SentinelContext } from './context.js';

const JITTER = 0.2;

export function retryDelayMs(baseMs: number, maxMs: number, attempt: number, random = Math.random()): number {
  const doubled = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(doubled * (1 - JITTER + 2 * JITTER * random)));
}

/** The retry time of job `id` after its attempt `attempt` failed at `now`, as an ISO string. */
export function retryTime(ctx: SentinelContext, id: string, attempt: number, now: Date): string {
  const name = ctx.jobs.get(id)?.plugin;
  const found = name ? ctx.plugins.lookup(name) : undefined;
  const base = (found?.ok ? found.plugin.retry_backoff_ms : undefined) ?? ctx.cfg.jobs.retry_backoff_ms;
  return new Date(now.getTime() + retryDelayMs(base, ctx.cfg.jobs.retry_backoff_max_ms, attempt)).toISOString();
}
