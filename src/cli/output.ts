/** Printing for the CLI: JSON for scripts, aligned plain-text tables and local times for people. */
import { noColorRequested } from '../config/identity.js';
import type { TimeText } from '../api/time-text.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export interface TableStyle {
  /** Lines are cut to this many columns, the cut cell ending in "…". */
  width?: number;
  /** How to colour the text of a body cell (row and column from 0); the padding stays plain. */
  paint?: (row: number, col: number) => ((text: string) => string) | undefined;
}

export function table(headers: string[], rows: (string | number | null | undefined)[][], style: TableStyle = {}): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[], row: number) => {
    let out = '';
    let used = 0;
    for (const [i, c] of r.entries()) {
      const sep = i === 0 ? '' : '  ';
      const room = (style.width ?? Number.POSITIVE_INFINITY) - used - sep.length;
      if (room <= 0) break;
      let cell = i === r.length - 1 ? c : c.padEnd(widths[i]!);
      if (cell.length > room) cell = cell.trimEnd().length <= room ? cell.slice(0, room) : `${cell.slice(0, room - 1)}…`;
      const body = cell.trimEnd();
      const paint = row >= 0 ? style.paint?.(row, i) : undefined;
      out += sep + (paint ? paint(body) : body) + cell.slice(body.length);
      used += sep.length + cell.length;
    }
    return out.trimEnd();
  };
  return [line(headers, -1), ...cells.map(line)].join('\n');
}

export function percent(p: number | null | undefined): string {
  return p === null || p === undefined ? '-' : `${Math.round(p * 100)}%`;
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** A run's length to the tenth of a second while short, then in two units: 4.2s, 3m12s, 2h05m, 1d03h. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  if (seconds < 60) return `${(Math.round(seconds * 10) / 10).toFixed(1)}s`;
  const s = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d${two(Math.floor(s / 3600) % 24)}h`;
}

let inUtc = false;

/** `--utc`: human times in UTC rather than this host's zone. */
export function showTimesInUtc(on: boolean): void {
  inUtc = on;
}

/**
 * A time for people: this host's local time (TZ) with its offset, `2026-12-03 14:02:11 +01:00`,
 * or with --utc `2026-12-03 13:02:11 UTC`. An offset, unlike a zone's name, reads the same
 * on every host. JSON keeps the ISO UTC strings.
 */
export function when(iso: string | null | undefined): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const offset = inUtc ? 0 : -new Date(t).getTimezoneOffset();
  const shown = new Date(t + offset * 60_000).toISOString().slice(0, 19).replace('T', ' ');
  if (inUtc) return `${shown} UTC`;
  const abs = Math.abs(offset);
  return `${shown} ${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Times inside reasons (`retry at 14:02:11 +01:00`), in the zone `when` shows them in. */
export const humanTimes: TimeText = { time: (iso) => when(iso).slice(11), date: when };

/** Colour only for a person at a terminal who did not ask for none (NO_COLOR): never into a pipe or a file. */
export function colourOnStdout(): boolean {
  return process.stdout.isTTY === true && !noColorRequested();
}
