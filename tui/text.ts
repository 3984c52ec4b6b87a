/** Fixed-width text for terminal tables: truncate (with a marker) and pad to the width. */
import type { TimeText } from '../src/api/time-text.js';

/** `keep: 'end'` cuts a long text at its start instead: paths differ at their ends. */
export function fit(text: string, width: number, ascii = false, keep: 'start' | 'end' = 'start'): string {
  if (width <= 0) return '';
  const chars = [...text.replace(/[\r\n\t]+/g, ' ')];
  if (chars.length <= width) return chars.join('').padEnd(width);
  const mark = ascii ? '~' : '…';
  return keep === 'end'
    ? `${mark}${chars.slice(chars.length - width + 1).join('')}`
    : `${chars.slice(0, Math.max(0, width - 1)).join('')}${mark}`;
}

/**
 * A column's width: `base` at 80 columns, and on a wider terminal (`spare` more columns) as
 * wide as its longest value needs, within what is spare.
 */
export function grown(values: readonly string[], base: number, spare: number): number {
  return Math.max(base, Math.min(longest(values), base + Math.max(0, spare)));
}

/** The length of the longest value, in characters. */
export function longest(values: readonly string[]): number {
  return Math.max(0, ...values.map((v) => [...v].length));
}

export function fitRight(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : text.padStart(width);
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** HH:MM:SS of an ISO time, in the local zone (TZ) or in UTC. */
export function clock(iso: string, utc = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso.slice(11, 19);
  return (utc ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()])
    .map(two)
    .join(':');
}

/** Times inside reasons ("retry at 14:02:11"), in the zone the header names. */
export function timeText(utc: boolean): TimeText {
  return {
    time: (iso) => clock(iso, utc),
    date: (iso) => `${day(iso, utc)} ${clock(iso, utc)}`,
  };
}

/** YYYY-MM-DD of an ISO time, in the zone clock() uses. */
export function day(iso: string, utc: boolean): string {
  const d = new Date(iso);
  const ymd = utc ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()] : [d.getFullYear(), d.getMonth() + 1, d.getDate()];
  return `${ymd[0]}-${two(ymd[1]!)}-${two(ymd[2]!)}`;
}

/** The zone clock() shows times in: its abbreviation (CET, UTC) where one exists, else its offset (+05:30). */
export function zoneName(utc: boolean, at: Date): string {
  if (utc) return 'UTC';
  // ICU knows US abbreviations in en-US (EST) and European ones in en-GB (CET); elsewhere GMT+5:30.
  for (const locale of ['en-US', 'en-GB']) {
    const name = new Intl.DateTimeFormat(locale, { timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
    if (name && /^[A-Z]{2,5}$/.test(name)) return name;
  }
  const offset = -at.getTimezoneOffset();
  return `${offset < 0 ? '-' : '+'}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
}

export function bar(progress: number | null, width: number, ascii: boolean): string {
  const p = Math.min(1, Math.max(0, progress ?? 0));
  const filled = Math.round(p * width);
  return ascii ? `${'#'.repeat(filled)}${'.'.repeat(width - filled)}` : `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

const LEVELS = '▁▂▃▄▅▆▇█';
const ASCII_LEVELS = '_.-:=+*#';

/** One character per value, its height proportional to the largest value; zero is blank. */
export function sparkline(values: readonly number[], ascii: boolean): string {
  const levels = ascii ? ASCII_LEVELS : LEVELS;
  const max = Math.max(0, ...values);
  return values.map((v) => (v > 0 ? levels[Math.max(0, Math.ceil((v / max) * levels.length) - 1)] : ' ')).join('');
}
