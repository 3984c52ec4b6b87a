/**
 * SPOOLCTL_CLOCK_SKEW_MS: run this process with its wall clock off by that many milliseconds,
 * as on a host whose NTP is broken. For fault-injection tests of liveness across hosts: a
 * skewed worker's heartbeats still age by the file server's clock, so it must be neither
 * reclaimed while alive nor trusted once dead. Everything reads the time through Date, so
 * replacing Date skews it all: the times the process writes into files, and any mtime it
 * would set itself. The file server's own stamps (a write, a rename, a mkdir) and the
 * monotonic clock (monotonicMs, src/proc.ts) are not skewed, as on a real host with a wrong
 * wall clock; locks and heartbeats are judged by those stamps (src/locks.ts, src/spool/clock.ts).
 */
export function skewClock(spec: string | undefined): void {
  if (!spec) return;
  const skew = Number(spec);
  if (!Number.isFinite(skew)) throw new Error(`SPOOLCTL_CLOCK_SKEW_MS must be a number of milliseconds (got "${spec}").`);
  const Real = Date;
  class Skewed extends Real {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(Real.now() + skew);
      else super(...(args as [string]));
    }

    static override now(): number {
      return Real.now() + skew;
    }
  }
  globalThis.Date = Skewed as DateConstructor;
}
