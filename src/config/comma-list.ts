/** A comma-separated setting (worker.tags, tui.spools): blanks around commas and empty items are ignored. */
export function commaList(csv: string): string[] {
  return csv
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}
