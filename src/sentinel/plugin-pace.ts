/**
 * How long each plugin's attempts take, by their results. A second claim is queued for a slot
 * only behind jobs expected to end soon (sentinel.queue_behind_ms): a job queued behind a long
 * one would wait for it while another slot may come free.
 */
const KEPT = 8;

export class PluginPace {
  private readonly recent = new Map<string, number[]>();

  /** An attempt's run time, from its result's times. */
  ran(plugin: string, startedAt: string, finishedAt: string): void {
    const ms = Date.parse(finishedAt) - Date.parse(startedAt);
    if (!Number.isFinite(ms) || ms < 0) return;
    const runs = this.recent.get(plugin) ?? [];
    runs.push(ms);
    if (runs.length > KEPT) runs.shift();
    this.recent.set(plugin, runs);
  }

  /** Whether the plugin's last attempts all took less than `ms`; false before its first result. */
  shorterThan(plugin: string, ms: number): boolean {
    const runs = this.recent.get(plugin);
    return runs !== undefined && runs.every((r) => r < ms);
  }
}
