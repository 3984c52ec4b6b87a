/**
 * The scheduling flags of `submit` and `run`: --at and --in become a manifest's not_before
 * (UTC, ISO 8601 with Z), checked here so that a typo is refused before anything is written.
 */
import { UsageError } from '../errors.js';
import { parseDuration } from './duration.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;
const CLOCK = /^(\d{1,2}):(\d{2})$/;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * --at: an ISO 8601 time with a zone, or HH:MM, the next such time on this host's clock
 * (today, or tomorrow once it has passed). A date and time without a zone is refused: which
 * zone it meant would depend on the host that reads it.
 */
export function atTime(v: string, now = new Date(), flag = '--at'): string {
  const clock = CLOCK.exec(v);
  if (clock) {
    const [h, m] = [Number(clock[1]), Number(clock[2])];
    if (h > 23 || m > 59) throw new UsageError(`${flag} ${v}: not a time of day (00:00 to 23:59).`);
    const at = new Date(now);
    at.setHours(h, m, 0, 0);
    if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
    return at.toISOString();
  }
  const iso = ISO.exec(v);
  if (!iso) {
    const zoneless = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v);
    throw new UsageError(
      zoneless
        ? `${flag} ${v} has no time zone: add one (${v.replace(' ', 'T')}Z for UTC, or an offset such as +01:00), or give HH:MM for the next such local time.`
        : `${flag} takes an ISO 8601 time with a zone (2026-05-01T14:30:00Z, 2026-05-01T16:30+02:00) or HH:MM (got "${v}").`,
    );
  }
  const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(iso[i] ?? 0)) as [number, number, number, number, number, number];
  const day = new Date(Date.UTC(y, mo - 1, d));
  const real =
    day.getUTCMonth() === mo - 1 &&
    day.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    sec < 60 &&
    Number(iso[8] ?? 0) < 24 &&
    Number(iso[9] ?? 0) < 60;
  if (!real) throw new UsageError(`${flag} ${v}: no such date or time.`);
  return new Date(Date.parse(v)).toISOString();
}

/** --in: a positive whole number of seconds, minutes, hours or days from now. */
export function inTime(v: string, now = Date.now()): string {
  const m = /^(\d+)([a-z]*)$/i.exec(v.trim());
  const unit = m?.[2] ?? '';
  if (!m || !(unit in UNITS)) throw new UsageError(`--in takes a number and a unit: s, m, h or d (as in 30s, 10m, 2h, 1d; got "${v}").`);
  const n = Number(m[1]);
  if (n <= 0) throw new UsageError(`--in must be more than zero (got "${v}"): leave it out to run the job as soon as it can.`);
  const ms = n * UNITS[unit]!;
  if (ms > 366 * 86_400_000) throw new UsageError(`--in ${v} is more than a year away.`);
  return new Date(now + ms).toISOString();
}

/**
 * --since: an age (30m, 2h, 7d), HH:MM (the last such time on this host's clock: today, or
 * yesterday while it is still to come), or an ISO 8601 time with a zone.
 */
export function sinceTime(v: string, now = new Date(), flag = '--since'): string {
  if (/^\d+[smhdw]$/.test(v.trim())) return new Date(now.getTime() - parseDuration(flag, v)).toISOString();
  if (CLOCK.test(v)) {
    const at = new Date(atTime(v, now, flag));
    at.setDate(at.getDate() - 1);
    return at.toISOString();
  }
  return atTime(v, now, flag);
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * `tui --at`: a moment past, as --since takes it, HH:MM:SS, or a date and time without a zone, read in
 * this host's zone: a replay is read here and now, by the person who typed it.
 */
export function replayTime(v: string, now = new Date()): string {
  const seconds = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(v.trim());
  // HH:MM:SS, the last such time here: to the second, as the TUI and the logs show times.
  if (seconds) {
    const at = new Date(now);
    at.setHours(Number(seconds[1]), Number(seconds[2]), Number(seconds[3]), 0);
    if (at.getHours() !== Number(seconds[1]) || at.getMinutes() !== Number(seconds[2]) || at.getSeconds() !== Number(seconds[3]))
      throw new UsageError(`--at ${v}: not a time of day (00:00:00 to 23:59:59).`);
    if (at.getTime() > now.getTime()) at.setDate(at.getDate() - 1);
    return at.toISOString();
  }
  const local = LOCAL.exec(v.trim());
  if (!local) return sinceTime(v, now, '--at');
  const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(local[i] ?? 0)) as [number, number, number, number, number, number];
  const at = new Date(y, mo - 1, d, h, mi, sec);
  if (at.getMonth() !== mo - 1 || at.getDate() !== d || at.getHours() !== h || at.getMinutes() !== mi)
    throw new UsageError(`--at ${v}: no such date or time here.`);
  return at.toISOString();
}
