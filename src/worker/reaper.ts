/**
 * The worker's reaper: a shell process in a session of its own, started with the worker,
 * that kills the running plugin's process group when the worker dies. The worker tells it
 * the group of each plugin it starts and that the plugin ended, a line on a pipe each; when
 * the worker dies, however it dies (SIGKILL, a crash, the OOM killer), the kernel closes the
 * pipe, and a reaper whose last line names a group kills that whole group with SIGKILL, the
 * plugin's grandchildren included. The kernel's parent-death signal (src/worker/posix-spawn.c)
 * reaches only the plugin itself; a grandchild it started would otherwise run on, beside the
 * job's next attempt.
 *
 * A shell keeps it to a few hundred kilobytes a worker; reading a pipe a byte at a time costs
 * it a few system calls per job.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../log.js';

const SCRIPT = `g=-
while read -r line; do g=$line; done
case $g in *[!0-9]*|'') ;; *) kill -s KILL -- "-$g" 2>/dev/null ;; esac`;

/**
 * How long an ended plugin's group stays the reaper's before it is told so. The next plugin's
 * group usually replaces it first: a flood of short jobs costs one line a job, not two. The
 * group's id cannot name another group that soon (the kernel hands a pid out again only after
 * cycling through the others).
 */
const CLEAR_AFTER_MS = 100;

export class Reaper {
  private proc: ChildProcess | undefined;
  private group: number | undefined;
  private clearing: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly log: Logger) {
    this.start();
  }

  /** From now on the worker's death kills process group `pgid`. */
  watch(pgid: number): void {
    clearTimeout(this.clearing);
    this.clearing = undefined;
    this.group = pgid;
    this.send(`${pgid}\n`);
  }

  /** The plugin has ended: the worker's death kills nothing. */
  clear(): void {
    this.group = undefined;
    this.clearing ??= setTimeout(() => {
      this.clearing = undefined;
      this.send('-\n');
    }, CLEAR_AFTER_MS);
    this.clearing.unref();
  }

  /** The worker stops: the reaper exits, killing the group of a plugin still running. */
  close(): void {
    if (this.clearing) this.send('-\n');
    clearTimeout(this.clearing);
    this.closed = true;
    this.proc?.stdin?.end();
  }

  private start(): void {
    const proc = spawn('/bin/sh', ['-c', SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    this.proc = proc;
    proc.on('error', (err) => this.lost(proc, err.message));
    proc.stdin.on('error', (err) => this.lost(proc, err.message));
    proc.on('exit', (code, signal) => this.lost(proc, signal ? `killed by ${signal}` : `exit code ${code}`));
    // Neither keeps the worker running: it stops when its own work is done.
    proc.unref();
    (proc.stdin as unknown as { unref?: () => void }).unref?.();
  }

  /** A reaper that died (killed by hand, say) is replaced, and told the group it guarded. */
  private lost(proc: ChildProcess, why: string): void {
    if (this.closed || this.proc !== proc) return;
    this.proc = undefined;
    this.log.warn('the reaper that kills a plugin left behind by a dead worker exited; starting another', { reason: why });
    this.start();
    if (this.group !== undefined) this.send(`${this.group}\n`);
  }

  private send(line: string): void {
    if (!this.closed) this.proc?.stdin?.write(line);
  }
}
