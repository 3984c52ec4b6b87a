/**
 * Which free slot, if any, may take a runnable job (spool-layout.md, "Scheduling"): one whose
 * worker's heartbeat has every tag the job requires (the plugin's `requires` and the
 * manifest's), while the plugin has fewer claims than its `max_concurrent`. Claims are counted
 * from the sentinel's view of claimed/, which a restart reads again whole.
 */
import type { SlotState } from '../slot-state.js';
import type { PendingEntry, SentinelContext } from './context.js';

export class Eligibility {
  /** Claims per plugin, as the pass began, plus those it made. */
  private readonly running = new Map<string, number>();

  constructor(
    private readonly ctx: SentinelContext,
    /** The slots with a live worker: those that may take jobs, and the busy ones, for the wait reason. */
    private readonly live: SlotState[],
  ) {
    for (const claims of ctx.claims.values())
      for (const c of claims) {
        const plugin = ctx.jobs.get(c.id)?.plugin;
        if (plugin) this.running.set(plugin, (this.running.get(plugin) ?? 0) + 1);
      }
  }

  claimed(plugin: string): void {
    this.running.set(plugin, (this.running.get(plugin) ?? 0) + 1);
  }

  /**
   * The index in `free` of the slot to give `e` to, or why none may take it. A job whose plugin
   * has a limit is never queued behind another (`queueing`): its claim would count against the
   * limit while it waits, and a free slot could not take the plugin's next job.
   */
  slotFor(e: PendingEntry, free: readonly SlotState[], queueing = false): number | string {
    const found = this.ctx.plugins.lookup(e.plugin);
    const def = found.ok ? found.plugin : undefined;
    const limit = def?.max_concurrent;
    if (queueing && limit !== undefined) return `plugin ${e.plugin} has a limit: not queued`;
    const running = this.running.get(e.plugin) ?? 0;
    if (limit !== undefined && running >= limit) return `plugin ${e.plugin} at its limit (${running} of ${limit})`;
    const required = [...new Set([...(def?.requires ?? []), ...e.requires])];
    const i = free.findIndex((view) => hasTags(view, required));
    return i >= 0 ? i : this.missing(required);
  }

  private missing(required: string[]): string {
    const absent = required.filter((tag) => !this.live.some((view) => hasTags(view, [tag])));
    if (absent.length > 0) return `no live worker has tag${absent.length > 1 ? 's' : ''} ${absent.join(', ')}`;
    if (!this.live.some((view) => hasTags(view, required))) return `no live worker has tags ${required.join(', ')} together`;
    return `waits for a free worker with tag${required.length > 1 ? 's' : ''} ${required.join(', ')}`;
  }
}

function hasTags(view: SlotState, required: readonly string[]): boolean {
  const tags = view.heartbeat?.tags ?? [];
  return required.every((t) => tags.includes(t));
}
