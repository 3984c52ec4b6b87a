/** Who and where this process is, as recorded in heartbeats, control files and the ledger. */
import { hostname, userInfo } from 'node:os';

/** The host id: SPOOLCTL_HOST (containers, tests) or the hostname. Pid checks apply only within one host id. */
export function hostId(): string {
  return process.env.SPOOLCTL_HOST || hostname();
}

export function actor(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = `uid${process.getuid?.() ?? '?'}`;
  }
  return `${user}@${hostId()}`;
}

/** The spool named by SPOOLCTL_SPOOL, when no --spool flag is given. */
export function spoolFromEnv(): string | undefined {
  return process.env.SPOOLCTL_SPOOL || undefined;
}

/** SPOOLCTL_FAILPOINTS, its seed and SPOOLCTL_CLOCK_SKEW_MS, for fault-injection runs. */
export function failpointSettings(): { spec: string | undefined; seed: string | undefined; clockSkewMs: string | undefined } {
  return {
    spec: process.env.SPOOLCTL_FAILPOINTS || undefined,
    seed: process.env.SPOOLCTL_FAILPOINTS_SEED,
    clockSkewMs: process.env.SPOOLCTL_CLOCK_SKEW_MS || undefined,
  };
}

/** NO_COLOR (https://no-color.org): any non-empty value turns colour off. */
export function noColorRequested(): boolean {
  return Boolean(process.env.NO_COLOR);
}
