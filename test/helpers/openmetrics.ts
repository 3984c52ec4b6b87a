// OpenMetrics text parsed by the Prometheus project's own parser (Debian's
// python3-prometheus-client, which .ci/run installs): it refuses a second TYPE or HELP for a
// family, a counter sample without _total, bad escaping and a missing # EOF.
import { spawnSync } from 'node:child_process';

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: ParsedSample[];
}

const PARSER = `
import json, math, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "help": f.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else str(s.value)} for s in f.samples]})
print(json.dumps(out))
`;

/** The families of `text`; throws with the parser's complaint when the text breaks a rule. */
export function parseOpenMetrics(text: string): ParsedFamily[] {
  const r = spawnSync('/usr/bin/python3', ['-c', PARSER], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`not valid OpenMetrics: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout) as ParsedFamily[];
}

/** The value of the one sample named `name` whose labels include `labels`. */
export function sampleValue(families: ParsedFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const all = families.flatMap((f) => f.samples);
  return all.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
