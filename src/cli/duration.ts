/** Durations on the command line: a whole number and a unit, as in 90s, 30m, 2h, 7d or 2w. */
import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag} takes a duration such as 30m, 2h or 7d (got "${text}").`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}
