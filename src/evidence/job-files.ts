/**
 * An evidence bundle's job files against what the job's events record of them: the manifest's
 * id, plugin and priority; the log's attempt headers and the output tails of failed attempts;
 * the error record.
 */
import type { EventRow } from '../chain/event.js';
import { sha256, type BundledFile, type BundledJob, type NotBundled } from './bundle.js';
import type { Finding } from './check.js';

export const isBundled = (f: BundledFile | NotBundled | null | undefined): f is BundledFile =>
  typeof (f as BundledFile | null)?.file === 'string';

export function detailOf(e: EventRow): Record<string, unknown> {
  try {
    const d = JSON.parse(e.detail) as unknown;
    return typeof d === 'object' && d !== null ? (d as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** `=== attempt 2 of ID on HOST slot 3 at TIME: ARGV`, the line a worker writes before an attempt's output. */
const ATTEMPT_HEADER = /^=== attempt (\d+) of (\S+) on (\S+) slot (\d+) at /;

function logProblems(id: string, log: string, events: EventRow[]): string[] {
  const out: string[] = [];
  const claims = events.filter((e) => e.type === 'claimed');
  for (const line of log.split('\n')) {
    const m = ATTEMPT_HEADER.exec(line);
    if (!m) continue;
    const [, attempt, job, host, slot] = m;
    const claim = claims.find((c) => c.attempt === Number(attempt) && c.slot === Number(slot));
    if (job !== id || !claim || detailOf(claim).host !== host)
      out.push(`its header "attempt ${attempt} of ${job} on ${host} slot ${slot}" matches no claimed event of job ${id}`);
  }
  for (const e of events) {
    const tail = detailOf(e).log_tail;
    if (typeof tail === 'string' && tail !== '' && !log.includes(tail))
      out.push(`it lacks the output tail the ${e.type} event (seq ${e.seq}) records`);
  }
  return out;
}

function errorRecordProblems(record: Record<string, unknown>, events: EventRow[]): string[] {
  const failed = events.filter((e) => e.type === 'failed').at(-1);
  if (!failed) return [];
  const d = detailOf(failed);
  // A failure with no output has no log_tail in its record, and "" in its event.
  const field = (k: string) => (k === 'log_tail' ? (record[k] ?? '') : record[k]);
  return (['exit_code', 'error', 'log_tail'] as const)
    .filter((k) => k in d && JSON.stringify(field(k)) !== JSON.stringify(d[k]))
    .map((k) => `field ${k} is ${JSON.stringify(field(k))} but the failed event (seq ${failed.seq}) records ${JSON.stringify(d[k])}`);
}

function parseObject(data: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The job's files against its events: each problem names the file and the field or seq. */
export function jobFileProblems(job: BundledJob, events: EventRow[], files: Map<string, Buffer>): Finding[] {
  const out: Finding[] = [];
  const say = (file: string, problem: string, seq: number | null = null) => out.push({ file, job: job.id, seq, problem });
  const submitted = events.find((e) => typeof detailOf(e).plugin === 'string');
  const plugin = submitted ? (detailOf(submitted).plugin as string) : job.plugin;
  if (isBundled(job.manifest)) {
    const data = files.get(job.manifest.file);
    const m = data && parseObject(data);
    if (data && !m) say(job.manifest.file, 'is not a JSON object');
    if (m) {
      if (m.id !== job.id) say(job.manifest.file, `field id is ${JSON.stringify(m.id)}, not the job's id "${job.id}"`);
      if (submitted) {
        const d = detailOf(submitted);
        // Recorded at intake since spoolctl's ledger carries manifest digests: every byte is then on the chain.
        if (typeof d.sha256 === 'string' && sha256(data) !== d.sha256)
          say(
            job.manifest.file,
            `its sha256 is ${sha256(data).slice(0, 12)}… but the ${submitted.type} event (seq ${submitted.seq}) records ${d.sha256.slice(0, 12)}…`,
            submitted.seq,
          );
        if (m.plugin !== d.plugin)
          say(
            job.manifest.file,
            `field plugin is ${JSON.stringify(m.plugin)} but the ${submitted.type} event (seq ${submitted.seq}) records ${JSON.stringify(d.plugin)}`,
            submitted.seq,
          );
        if (typeof d.priority === 'number' && (m.priority ?? 0) !== d.priority)
          say(
            job.manifest.file,
            `field priority is ${JSON.stringify(m.priority ?? 0)} but the ${submitted.type} event (seq ${submitted.seq}) records ${d.priority}`,
            submitted.seq,
          );
      }
    }
  }
  if (isBundled(job.plugin_def)) {
    const data = files.get(job.plugin_def.file);
    const def = data && parseObject(data);
    if (data && def?.name !== plugin)
      say(job.plugin_def.file, `field name is ${JSON.stringify(def?.name)}, not the job's plugin "${plugin}"`);
  }
  for (const f of job.logs) {
    const data = files.get(f.file);
    if (!data) continue;
    if (f.from.endsWith('.log')) for (const p of logProblems(job.id, data.toString('utf8'), events)) say(f.file, p);
    else {
      const record = parseObject(data);
      if (!record) say(f.file, 'is not a JSON object');
      else for (const p of errorRecordProblems(record, events)) say(f.file, p);
    }
  }
  return out;
}

export function bundledFilesOf(job: BundledJob): string[] {
  return [job.manifest, job.plugin_def, job.env?.listing, ...job.logs].filter(isBundled).map((f) => f.file);
}
