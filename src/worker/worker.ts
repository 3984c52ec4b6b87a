/**
 * A worker that holds its slot, as the state machine of ./states.ts. It runs the claims the
 * sentinel renames into its slot directory, one at a time, and never moves a manifest: it
 * reports each claim's outcome in a result file and the sentinel applies it.
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
import { claimDir, claimFileName, claimPath, drainMarkerPath, type ClaimName, type Layout } from '../spool/layout.js';
import { listClaims } from '../spool/scan.js';
import { readHeartbeat, readSlotFiles, removeHeartbeat, writeLeaveNote } from '../spool/slots.js';
import { watchForChanges, type WakeWatch } from '../spool/wake.js';
import { runAttempt, type AttemptTools, type Job } from './attempt.js';
import type { HeartbeatWriter } from './heartbeat.js';
import { groupRssBytes, RECYCLE_EXIT_CODE, recycleReason } from './recycle.js';
import { writeResult } from './result.js';
import { NEXT, SHOWN, type WorkerState } from './states.js';

export interface WorkerParts {
  l: Layout;
  cfg: Config;
  log: Logger;
  slot: number;
  token: string;
  lock: HeldLock;
  heartbeat: HeartbeatWriter;
  attempt: AttemptTools;
  /** Set when the slot's lock is found taken or gone (src/locks.ts). */
  lockLost: () => Error | undefined;
  /** Closed when the worker is gone: the plugin captures, the reaper. */
  close: () => void;
}

/** Why the worker is to stop, and the exit code that gives. */
interface StopCause {
  code: number;
  why: string;
}

export class Worker {
  private state: WorkerState = 'starting';
  private job: Job | undefined;
  private stop: StopCause | undefined;
  /** Claims run to the end, until the sentinel removes them. */
  private readonly finished = new Set<string>();
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

  /** False when this worker no longer owns its slot; true when that cannot be read now. */
  private stillOwner(): boolean {
    try {
      const onDisk = readHeartbeat(this.p.l, this.p.slot);
      return !onDisk || onDisk.token === this.p.token;
    } catch {
      return true;
    }
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
    if (!this.stillOwner()) {
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
    if (this.state === 'idle') {
      const aged = recycleReason(cfg.worker, this.usage(0));
      if (aged) return this.recycle(aged);
    }
    this.p.heartbeat.now();
    this.maybeNewClaim = true;
    this.scan();
  }

  private changed(name: string | null): void {
    if (name !== null && this.finished.has(name)) return;
    this.maybeNewClaim = true;
    this.scan();
  }

  private scan(): void {
    if (this.state !== 'idle' || this.scanning) return;
    this.scanning = true;
    this.maybeNewClaim = !this.watching;
    try {
      const listed = new Map(
        listClaims(this.p.l, this.p.slot)
          .claims.filter((c) => c.token === this.p.token)
          .map((c) => [claimFileName(c), c]),
      );
      // A finished claim stays listed until the sentinel applies its result; once it is
      // gone it is forgotten, so a worker that runs for months keeps no list of them.
      for (const name of this.finished) if (!listed.has(name)) this.finished.delete(name);
      const mine = [...listed].find(([name]) => !this.finished.has(name))?.[1];
      if (mine) void this.runClaim(mine);
    } catch (err) {
      this.throttled('warn', 'scan', 'cannot list the slot directory; retrying', { slot: this.p.slot, error: (err as Error).message });
    } finally {
      this.scanning = false;
    }
  }

  private async runClaim(claim: ClaimName): Promise<void> {
    const { heartbeat } = this.p;
    const job: Job = { claim, peakRss: 0 };
    this.job = job;
    this.to('running');
    heartbeat.jobStarted(claim);
    const report = await runAttempt(this.p.attempt, job, {
      plugin: (name) => heartbeat.pluginNamed(name),
      started: (pid) => heartbeat.pluginStarted(pid),
      progress: (p, m) => heartbeat.progressed(p, m),
    });
    this.finished.add(claimFileName(claim));
    if (this.state === 'gone') return;
    if (!this.stillOwner()) {
      this.p.log.error(`another worker now holds slot ${this.p.slot}; its result is discarded`, { job: claim.id });
      return void this.gone(1, 'slot taken over by another worker', true);
    }
    const result = { ...report, token: this.p.token, host: this.p.attempt.host, pid: process.pid };
    const written = await writeResult(this.p.l, claim, result, this.p.log, {
      giveUp: () => this.stop !== undefined && job.stopReason !== undefined,
      displaced: () => !this.stillOwner(),
    });
    if (written === 'displaced') return void this.gone(1, 'slot taken over by another worker', true);
    if (written === 'given_up') return void this.gone(1, `${this.stop?.why} while the job result could not be written`);
    fail('result.after-publish');
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

  private usage(lastPeakRss: number) {
    const hb = this.p.heartbeat.hb;
    return { jobs: hb.jobs_done + hb.jobs_failed, startedAtMs: this.startedAtMs, lastPeakRss };
  }

  /** Makes way for a fresh worker: the note tells the sentinel (and the ledger) why. */
  private recycle(reason: string): void {
    const { l, log, slot } = this.p;
    log.info('recycling: exiting so that a fresh worker takes over', { slot, reason });
    try {
      writeLeaveNote(l, { slot, host: this.p.attempt.host, pid: process.pid, reason, at: new Date().toISOString() });
    } catch (err) {
      log.warn('cannot write the leave note; the ledger will not say why this worker left', { error: (err as Error).message });
    }
    void this.gone(RECYCLE_EXIT_CODE, reason);
  }

  /** A worker displaced from its slot keeps the slot files: they are the new holder's. */
  private async gone(code: number, why: string, keepSlotFiles = false): Promise<void> {
    if (this.state === 'gone') return;
    this.to('gone');
    clearInterval(this.ticker);
    clearTimeout(this.stopTimer);
    this.p.heartbeat.stop();
    this.wake?.close();
    // A plugin still running (a worker displaced from its slot) dies with the reaper's end.
    this.p.close();
    if (!keepSlotFiles && this.stillOwner()) {
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
