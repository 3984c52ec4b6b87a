/**
 * OpenMetrics text (what `spoolctl metrics` prints and node_exporter's textfile collector
 * reads): one HELP and TYPE per family, counters sampled as `_total`, histograms as
 * `_bucket`/`_count`/`_sum`, label values escaped, and `# EOF` last.
 */
export type FamilyType = 'gauge' | 'counter' | 'histogram' | 'info';

export interface Sample {
  /** Appended to the family's name: `_total`, `_bucket`, `_info`. */
  suffix?: string;
  labels?: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: FamilyType;
  help: string;
  unit?: string;
  samples: Sample[];
}

const escapeLabel = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
const escapeHelp = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');

function number(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

/** A bucket bound as a `le` label: `+Inf`, or a float. */
export function bound(le: number): string {
  return le === Number.POSITIVE_INFINITY ? '+Inf' : number(le);
}

function sampleLine(family: string, s: Sample): string {
  const labels = Object.entries(s.labels ?? {});
  const set = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
  return `${family}${s.suffix ?? ''}${set} ${number(s.value)}`;
}

export function renderOpenMetrics(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# TYPE ${f.name} ${f.type}`);
    if (f.unit) lines.push(`# UNIT ${f.name} ${f.unit}`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    for (const s of f.samples) lines.push(sampleLine(f.name, s));
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
