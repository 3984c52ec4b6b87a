/**
 * A worker's heartbeat (slots/slot-<s>.json): what the sentinel, `status` and the TUI know of
 * the worker. It is rewritten on every tick and when what it shows changes: at once when the
 * sentinel must see it (the tick, draining), within BEAT_COALESCE_MS when a job starts or
 * ends (a flood of short jobs costs a few writes a second instead of two per job), and for
 * progress at most as often as the plugin's progress is read.
 */
import { fail } from '../faults/failpoints.js';
import { makeThrottle, type Logger } from '../log.js';
import { procId } from '../proc.js';
import { claimFileName, type ClaimName, type Layout } from '../spool/layout.js';
import type { Outcome } from '../spool/results.js';
import { writeHeartbeat, type Heartbeat } from '../spool/slots.js';
import { PROGRESS_READ_MS } from './runner.js';

/** How long a job's start or end may wait to be told in the heartbeat. */
const BEAT_COALESCE_MS = 100;

export class HeartbeatWriter {
  private timer: NodeJS.Timeout | undefined;
  private lastMs = 0;
  private stopped = false;
  private readonly throttled: ReturnType<typeof makeThrottle>;

  constructor(
    private readonly l: Layout,
    readonly hb: Heartbeat,
    log: Logger,
  ) {
    this.throttled = makeThrottle(log);
  }

  now(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    this.lastMs = Date.now();
    this.hb.beat_at = new Date().toISOString();
    try {
      fail('heartbeat.before-write');
      writeHeartbeat(this.l, this.hb);
    } catch (err) {
      // A missed beat is retried on the next tick; only a long run of them makes the slot stale.
      this.throttled('warn', 'heartbeat', 'cannot write the heartbeat; retrying', { slot: this.hb.slot, error: (err as Error).message });
    }
  }

  private soon(): void {
    this.later(BEAT_COALESCE_MS);
  }

  /** A claim's attempt starts; shown once the manifest names the plugin, so a job over by then is never shown. */
  jobStarted(claim: ClaimName): void {
    Object.assign(this.hb, {
      job: claim.id,
      claim: claimFileName(claim),
      progress: 0,
      message: undefined,
      job_started_at: new Date().toISOString(),
    });
  }

  pluginNamed(name: string): void {
    this.hb.plugin = name;
    this.soon();
  }

  /** Whoever next acts on the slot on this host kills what is left of this group first. */
  pluginStarted(pid: number): void {
    this.hb.plugin_group = procId(pid) ?? undefined;
    this.soon();
  }

  progressed(progress: number | undefined, message: string | undefined): void {
    if (progress !== undefined) this.hb.progress = progress;
    if (message !== undefined) this.hb.message = message;
    this.later(Math.max(0, PROGRESS_READ_MS - (Date.now() - this.lastMs)));
  }

  jobEnded(outcome: Outcome): void {
    if (outcome === 'done') this.hb.jobs_done += 1;
    else if (outcome !== 'handed_back') this.hb.jobs_failed += 1;
    const hb = this.hb;
    hb.job = hb.plugin = hb.claim = hb.message = hb.job_started_at = undefined;
    hb.progress = undefined;
    hb.plugin_group = undefined;
    this.soon();
  }

  /** No more writes: a deferred one after the heartbeat is removed would show a gone worker as live. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private later(ms: number): void {
    this.timer ??= setTimeout(() => this.now(), ms);
  }
}
