/** Fixed-width text for terminal tables: truncate (with a marker) and pad to the width. */

export function fit(text: string, width: number, ascii = false): string {
  if (width <= 0) return '';
  const chars = [...text.replace(/[\r\n\t]+/g, ' ')];
  if (chars.length <= width) return chars.join('').padEnd(width);
  return `${chars.slice(0, Math.max(0, width - 1)).join('')}${ascii ? '~' : '…'}`;
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

export function clock(iso: string): string {
  return iso.slice(11, 19);
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
