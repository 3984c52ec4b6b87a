/** Plain-text helpers for the CLI's human output, which keeps to 80 columns. */

export const WIDTH = 80;

export function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

export function clip(text: string, max = WIDTH): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * `label` then `text` wrapped between words (a `quoted command` stays whole; given as a list,
 * each item stays whole), continuation lines indented under the text.
 */
export function labelled(label: string, text: string | string[], width = WIDTH): string[] {
  const indent = ' '.repeat(label.length);
  const lines: string[] = [];
  let line = '';
  for (const word of typeof text === 'string' ? (text.match(/\S*`[^`]*`\S*|\S+/g) ?? []) : text) {
    if (line && label.length + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.map((l, i) => `${i === 0 ? label : indent}${l}`);
}

/** `text` cut at its start, where a path's least telling part is: "…/scans/page-0001.tiff". */
export function clipStart(text: string, max: number): string {
  return text.length > max ? `…${text.slice(text.length - max + 1)}` : text;
}
