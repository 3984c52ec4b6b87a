/**
 * A worker that holds its slot, as the state machine of ./states.ts. It runs the claims the
 * sentinel renames into its slot directory, one at a time in the order their names sort
 * (dispatch order), and never moves a manifest: it records each claim's start and outcome in
 * its journal (src/spool/worker-journal.ts) and the sentinel applies them.
 *
 * Safety rules it keeps (spool-layout.md rules 3, 5 and 8):
 * - it runs only claims carrying its own token;
 * - if its slot's heartbeat shows another token, another worker owns the slot: it goes at
 *   once, touching nothing, and its reaper kills the plugin;
 * - if its claim disappears (cancelled, or reclaimed while it was paused) it stops the
 *   plugin and reports; the sentinel records that report as fenced.
 */
import type { Config } from '../config/schema.js';
import { fail } from '../faults/failpoints.js';
import type { HeldLock } from '../locks.js';
import { makeThrottle, type Logger } from '../log.js';
import type { HeldSignals } from '../proc.js';
import { exists } from '../spool/atomic.js';
import { claimDir, claimPath, drainMarkerPath, type ClaimName, type Layout } from '../spool/layout.js';
import { readSlotFiles, removeHeartbeat } from '../spool/slots.js';
import { watchForChanges, type WakeWatch } from '../spool/wake.js';
import type { WorkerJournalWriter } from '../spool/worker-journal.js';
import { runAttempt, type AttemptTools, type Job } from './attempt.js';
import type { HeartbeatWriter } from './heartbeat.js';
import { groupRssBytes, noteRecycling, RECYCLE_EXIT_CODE, recycleReason } from './recycle.js';
import { writeJournalLine, type Written } from './journal-line.js';
import { SlotClaims } from './slot-claims.js';
import { NEXT, SHOWN, type StopCause, type WorkerState } from './states.js';

export interface WorkerParts {
  l: Layout;
  cfg: Config;
  log: Logger;
  slot: number;
  token: string;
  lock: HeldLock;
  heartbeat: HeartbeatWriter;
  journal: WorkerJournalWriter;
  attempt: AttemptTools;
  /** Set when the slot's lock is found taken or gone (src/locks.ts). */
  lockLost: () => Error | undefined;
  /** Closed when the worker is gone: the plugin captures, the reaper. */
  close: () => void;
}

export class Worker {
  private state: WorkerState = 'starting';
  private job: Job | undefined;
  private stop: StopCause | undefined;
  private readonly claims: SlotClaims;
  private scanning = false;
  /**
   * A change in the slot directory may have brought a claim since the last listing: the
   * watcher named something other than a finished claim leaving, or cannot watch. Listing
   * the directory after every job and on every change is several round trips a job on a
   * network mount; the listing on every tick is what makes the worker correct (rule 7).
   */
  private maybeNewClaim = true;
  private wake: WakeWatch | undefined;
  private watching = true;
  private ticker: NodeJS.Timeout | undefined;
  private stopTimer: NodeJS.Timeout | undefined;
  private readonly startedAtMs = Date.now();
  private readonly throttled: ReturnType<typeof makeThrottle>;
  private exited!: (code: number) => void;

  constructor(private readonly p: WorkerParts) {
    this.throttled = makeThrottle(p.log);
    this.claims = new SlotClaims(p.l, p.slot, p.token);
  }

  /** Runs until the worker is gone; resolves to its exit code. */
  run(signals: HeldSignals): Promise<number> {
    return new Promise<number>((resolve) => {
      this.exited = resolve;
      signals.handle((signal) => this.onSignal(signal));
      if (this.state === 'gone') return;
      this.to('idle');
      const unwatched = (dir: string, err: Error) => {
        this.watching = false;
        this.p.log.warn('cannot watch the slot directory; periodic scans continue', { dir, error: err.message });
      };
      this.wake = watchForChanges([claimDir(this.p.l, this.p.slot)], (_dir, name) => this.changed(name), unwatched);
      this.ticker = setInterval(() => this.tick(), this.p.cfg.worker.heartbeat_ms);
      this.scan();
    });
  }

  private to(next: WorkerState): void {
    if (!NEXT[this.state].includes(next)) throw new Error(`worker: no transition from ${this.state} to ${next}`);
    this.state = next;
    this.p.heartbeat.hb.state = SHOWN[next];
  }

  /**
   * Asks the worker to stop: at once when no job runs, else after the job. The first cause
   * names the stop; a later one may only raise the exit code.
   */
  private requestStop(cause: StopCause): void {
    this.stop = this.stop ? { ...this.stop, code: Math.max(this.stop.code, cause.code) } : cause;
    if (this.state === 'idle' || this.state === 'starting') return void this.gone(this.stop.code, this.stop.why);
    if (this.state === 'running') {
      this.to('stopping');
      // The sentinel must see at once that it is to send nothing more to this slot.
      this.p.heartbeat.now();
      this.returnQueued(`worker stopping (${this.stop.why})`);
    }
  }

  private onSignal(signal: string): void {
    if (this.state === 'gone') return;
    if (this.stop === undefined) {
      const running = this.job?.claim.id;
      this.requestStop({ code: 0, why: signal });
      if (!running) return;
      const fields = { signal, job: running, hand_back_after_ms: this.p.cfg.worker.stop_timeout_ms };
      this.p.log.info(`stopping after the current job; a second ${signal === 'SIGINT' ? 'Ctrl-C' : signal} hands it back now`, fields);
      this.stopTimer = setTimeout(() => this.handBack(`worker stopping (${signal})`), this.p.cfg.worker.stop_timeout_ms);
    } else {
      this.handBack(`worker stopping (second ${signal})`);
    }
  }

  /** Stops the running plugin; the job goes back to pending/ without the attempt counted. */
  private handBack(reason: string): void {
    if (!this.job || this.job.stopReason || this.state !== 'stopping') return;
    this.job.stopReason = reason;
    this.to('handing_back');
    this.job.plugin?.stop();
  }

  private tick(): void {
    try {
      this.checkIn();
    } catch (err) {
      this.throttled('warn', 'tick', 'cannot read the slot files; retrying', { slot: this.p.slot, error: (err as Error).message });
    }
  }

  private checkIn(): void {
    const { l, slot, cfg, log } = this.p;
    if (!this.claims.stillMine()) {
      log.error(`another worker now holds slot ${slot}; stopping at once without touching the job`, { slot });
      return void this.gone(1, 'slot taken over by another worker', true);
    }
    const job = this.job;
    if (job && !job.stopReason && !exists(claimPath(l, job.claim))) {
      job.stopReason = 'the claim was withdrawn by the sentinel (cancelled or reclaimed)';
      log.warn('claim withdrawn; stopping the plugin', { job: job.claim.id, slot });
      job.plugin?.stop();
    }
    const draining = readSlotFiles(l, slot).draining;
    if (draining && !this.stop) {
      log.info('draining: finishing the current job, taking no more', { slot });
      this.requestStop({ code: 0, why: 'drained' });
    } else if (!draining && this.stop?.why === 'drained' && this.state === 'stopping') {
      // `workers undrain` before the job ended: the drain is cancelled, not only the next one.
      log.info('undrained: taking jobs again after this one', { slot });
      this.stop = undefined;
      this.to('running');
      this.p.heartbeat.now();
    }
    const lost = this.p.lockLost();
    if (lost) this.requestStop({ code: 1, why: `slot lock lost: ${lost.message}` });
    if (this.state === 'gone') return;
    if (job?.plugin?.pid && cfg.worker.max_rss_mb > 0) job.peakRss = Math.max(job.peakRss, groupRssBytes(job.plugin.pid));
    if (job && Date.now() - job.startedAtMs > cfg.sentinel.queue_behind_ms)
      this.returnQueued(`the job ahead of it has run past sentinel.queue_behind_ms (${cfg.sentinel.queue_behind_ms} ms)`);
    if (this.state === 'idle') {
      const aged = recycleReason(cfg.worker, this.usage(0));
      if (aged) return this.recycle(aged);
    }
    this.p.heartbeat.now();
    this.maybeNewClaim = true;
    this.scan();
  }

  private changed(name: string | null): void {
    if (name !== null && this.claims.isFinished(name)) return;
    this.maybeNewClaim = true;
    this.scan();
  }

  private scan(): void {
    if (this.state !== 'idle' || this.scanning) return;
    this.scanning = true;
    this.maybeNewClaim = !this.watching;
    try {
      const next = this.claims.next();
      if (next) void this.runClaim(next);
    } catch (err) {
      this.throttled('warn', 'scan', 'cannot list the slot directory; retrying', { slot: this.p.slot, error: (err as Error).message });
    } finally {
      this.scanning = false;
    }
  }

  /**
   * Gives the claims queued behind the running job back, unstarted: the worker is stopping, or
   * the job runs longer than the sentinel expected when it queued them, and they may run sooner
   * in another slot.
   */
  private returnQueued(reason: string): void {
    if (!this.job) return;
    const { journal, log, attempt } = this.p;
    try {
      this.claims.giveBack(this.job.claim, (c, r) => journal.ended(c, r), reason, attempt.host, log);
    } catch (err) {
      this.throttled('warn', 'return', 'cannot return a queued job; retrying', { slot: this.p.slot, error: (err as Error).message });
    }
  }

  private async runClaim(claim: ClaimName): Promise<void> {
    const { heartbeat, journal, attempt: tools } = this.p;
    const job: Job = { claim, peakRss: 0, startedAtMs: Date.now() };
    this.job = job;
    this.to('running');
    heartbeat.jobStarted(claim);
    const until = {
      giveUp: () => this.stop !== undefined && job.stopReason !== undefined,
      displaced: () => !this.claims.stillMine(),
    };
    const began = await writeJournalLine('start', claim, () => journal.started(claim, new Date().toISOString()), this.p.log, until);
    if (began !== 'written') return this.unwritten(began, claim, "the job's start could not be recorded");
    const report = await runAttempt(tools, job, {
      plugin: (name) => heartbeat.pluginNamed(name),
      started: (pid) => heartbeat.pluginStarted(pid),
      progress: (p, m) => heartbeat.progressed(p, m),
    });
    this.claims.finish(claim);
    if (this.state === 'gone') return;
    if (!this.claims.stillMine()) {
      this.p.log.error(`another worker now holds slot ${this.p.slot}; its result is discarded`, { job: claim.id });
      return void this.gone(1, 'slot taken over by another worker', true);
    }
    const result = { ...report, token: this.p.token, host: tools.host, pid: process.pid };
    const written = await writeJournalLine('result', claim, () => journal.ended(claim, result), this.p.log, until);
    if (written !== 'written') return this.unwritten(written, claim, 'the job result could not be written');
    fail('result.after-append');
    const { attempt } = claim;
    this.p.log.info(
      'job finished',
      { job: claim.id, attempt, outcome: report.outcome, exit_code: report.exit_code, error: report.error },
      `${claim.id} ${report.outcome.replace('_', ' ')} on attempt ${attempt}${report.error ? `: ${report.error}` : ''}`,
    );
    this.job = undefined;
    heartbeat.jobEnded(report.outcome);
    if (!this.stop && exists(drainMarkerPath(this.p.l, this.p.slot))) this.stop = { code: 0, why: 'drained' };
    const lost = this.p.lockLost();
    if (lost) this.stop = { code: 1, why: this.stop?.why ?? `slot lock lost: ${lost.message}` };
    if (this.stop) return void this.gone(this.stop.code, this.stop.why);
    this.to('idle');
    const worn = recycleReason(this.p.cfg.worker, this.usage(job.peakRss));
    if (worn) return this.recycle(worn);
    if (this.maybeNewClaim) this.scan();
  }

  /** A journal line that could not be written: the claim stays, for the sentinel to hand back. */
  private unwritten(written: Exclude<Written, 'written'>, claim: ClaimName, what: string): void {
    this.claims.finish(claim);
    if (written === 'displaced') return void this.gone(1, 'slot taken over by another worker', true);
    void this.gone(1, `${this.stop?.why} while ${what}`);
  }

  private usage(lastPeakRss: number) {
    const hb = this.p.heartbeat.hb;
    return { jobs: hb.jobs_done + hb.jobs_failed, startedAtMs: this.startedAtMs, lastPeakRss };
  }

  private recycle(reason: string): void {
    noteRecycling(this.p.l, this.p.slot, this.p.attempt.host, reason, this.p.log);
    void this.gone(RECYCLE_EXIT_CODE, reason);
  }

  /** A worker displaced from its slot keeps the slot files: they are the new holder's. */
  private async gone(code: number, why: string, keepSlotFiles = false): Promise<void> {
    if (this.state === 'gone') return;
    this.to('gone');
    clearInterval(this.ticker);
    clearTimeout(this.stopTimer);
    this.p.heartbeat.stop();
    this.p.journal.close();
    this.wake?.close();
    // A plugin still running (a worker displaced from its slot) dies with the reaper's end.
    this.p.close();
    if (!keepSlotFiles && this.claims.stillMine()) {
      removeHeartbeat(this.p.l, this.p.slot);
      await this.p.lock.release().catch(() => undefined);
    }
    const { jobs_done, jobs_failed } = this.p.heartbeat.hb;
    const uptime_s = Math.round((Date.now() - this.startedAtMs) / 1000);
    this.p.log.info(
      'worker stopped',
      { slot: this.p.slot, reason: why, jobs_done, jobs_failed, uptime_s },
      `slot ${this.p.slot}, ${why}: ${jobs_done} done, ${jobs_failed} failed in ${uptime_s} s`,
    );
    this.exited(code);
  }
}
