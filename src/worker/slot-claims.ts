/**
 * A worker's slot as the worker sees it: whether it still holds it, and the claims in its
 * directory: which one runs next (the first in dispatch order that it has not run), which it
 * has finished, and those queued behind its running job, which it may give back unstarted.
 */
import type { Logger } from '../log.js';
import { claimFileName, type ClaimName, type Layout } from '../spool/layout.js';
import type { JobResult } from '../spool/results.js';
import { listClaims } from '../spool/scan.js';
import { readHeartbeat } from '../spool/slots.js';

export class SlotClaims {
  /** Claims run to the end (or given back), until the sentinel removes them. */
  private readonly finished = new Set<string>();

  constructor(
    private readonly l: Layout,
    private readonly slot: number,
    private readonly token: string,
  ) {}

  /** False when the slot's heartbeat names another worker; true when that cannot be read now. */
  stillMine(): boolean {
    try {
      const onDisk = readHeartbeat(this.l, this.slot);
      return !onDisk || onDisk.token === this.token;
    } catch {
      return true;
    }
  }

  isFinished(name: string): boolean {
    return this.finished.has(name);
  }

  finish(claim: ClaimName): void {
    this.finished.add(claimFileName(claim));
  }

  /** The claim to run next, by a fresh listing: the first in dispatch order (nonces sort so) not yet run. */
  next(): ClaimName | undefined {
    const listed = this.mine();
    // A finished claim stays listed until the sentinel applies its result; once it is gone it
    // is forgotten, so a worker that runs for months keeps no list of them.
    for (const name of this.finished) if (!listed.has(name)) this.finished.delete(name);
    let next: ClaimName | undefined;
    for (const [name, c] of listed) if (!this.finished.has(name) && (!next || c.nonce < next.nonce)) next = c;
    return next;
  }

  /**
   * Gives the claims queued behind `running` back, unstarted, each as a handed-back result
   * `record` writes. The worker alone decides which claim it starts, so it can give one back
   * without a race: the sentinel returns it to pending/ uncounted.
   */
  giveBack(running: ClaimName, record: (c: ClaimName, result: JobResult) => void, why: string, host: string, log: Logger): void {
    const runningName = claimFileName(running);
    for (const [name, c] of this.mine()) {
      if (name === runningName || this.finished.has(name)) continue;
      const at = new Date().toISOString();
      record(c, {
        outcome: 'handed_back',
        error: `returned unstarted: ${why}`,
        token: this.token,
        host,
        pid: process.pid,
        started_at: at,
        finished_at: at,
      });
      this.finished.add(name);
      log.info('returned a queued job unstarted', { job: c.id, slot: this.slot, reason: why });
    }
  }

  private mine(): Map<string, ClaimName> {
    return new Map(
      listClaims(this.l, this.slot)
        .claims.filter((c) => c.token === this.token)
        .map((c) => [claimFileName(c), c]),
    );
  }
}
