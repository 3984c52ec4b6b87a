/**
 * What an evidence bundle proves, from the bundle alone: each file against its sha256 in
 * bundle.json, each event against its hash by the chain's rule and linked to the one before
 * it up to the head, each job's events on that chain, and the job's files against what its
 * events record of them (manifest id, plugin and priority; the log's attempt headers and the
 * output tails of failed attempts; the error record). Every other byte of a file is only
 * attested: bundle.json names its digest, and bundle.json is not on the chain.
 */
import { hashEvent, linkProblem, type EventRow, type Link } from '../chain/event.js';
import { parseLine } from '../chain/line.js';
import { BUNDLE_JSON, bundleChecksum, CHAIN_FILE, sha256, type BundledJob, type BundleJson, type Unpacked } from './bundle.js';
import { bundledFilesOf, isBundled, jobFileProblems } from './job-files.js';

export interface Finding {
  /** The file inside the bundle, null for the bundle as a whole. */
  file: string | null;
  job: string | null;
  seq: number | null;
  problem: string;
}

export interface JobProof {
  id: string;
  ok: boolean;
  /** Its last event on the chain (a late fenced result aside). */
  outcome: { type: string; attempt: number | null; at: string } | null;
  events: number;
  first_seq: number | null;
  last_seq: number | null;
  /** Files that match their digest and agree with the events wherever the events record them. */
  intact: string[];
  /** What keeps the job from being proven: files, and seqs of the chain. */
  altered: string[];
}

export interface BundleCheck {
  ok: boolean;
  spool: string | null;
  exported_at: string | null;
  head: Link | null;
  chain: { first_seq: number | null; last_seq: number | null; events: number };
  jobs: JobProof[];
  problems: Finding[];
}

/** What bundle.json's digests alone vouch for: nothing on the chain records it. */
export const ATTESTED_ONLY =
  'command and script digests, environment listings, a manifest whose submitted event records no sha256 (ledgers from before spoolctl recorded it) beyond its id, plugin and priority, log lines other than attempt headers and failure tails';

const MAX_CHAIN_PROBLEMS = 20;

function shapeProblem(j: BundleJson): string | undefined {
  const isLink = (v: unknown) =>
    typeof v === 'object' && v !== null && Number.isInteger((v as Link).seq) && typeof (v as Link).hash === 'string';
  if (!isLink(j.head)) return 'has no valid "head"';
  if (typeof j.chain !== 'object' || j.chain === null || typeof j.chain.file !== 'string') return 'has no valid "chain"';
  if (typeof j.files !== 'object' || j.files === null || !Object.values(j.files).every((v) => typeof v === 'string'))
    return 'has no valid "files"';
  const jobOk = (x: BundledJob) =>
    typeof x === 'object' &&
    x !== null &&
    typeof x.id === 'string' &&
    Array.isArray(x.events) &&
    x.events.every(Number.isInteger) &&
    Array.isArray(x.logs) &&
    typeof x.manifest === 'object' &&
    typeof x.plugin_def === 'object';
  if (!Array.isArray(j.jobs) || !j.jobs.every(jobOk)) return 'has no valid "jobs"';
  return undefined;
}

interface Chain {
  events: EventRow[];
  bySeq: Map<number, EventRow>;
  problems: Finding[];
}

/** The chain file, every line recomputed by the chain's rule and linked to the line before. */
function readChain(data: Buffer | undefined): Chain {
  const chain: Chain = { events: [], bySeq: new Map(), problems: [] };
  if (!data) return chain;
  const lines = data.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  let prev: Link | undefined;
  lines.forEach((text, i) => {
    if (chain.problems.length >= MAX_CHAIN_PROBLEMS) return;
    const at = `line ${i + 1}`;
    const e = parseLine(text);
    if (typeof e === 'string') {
      chain.problems.push({ file: CHAIN_FILE, job: null, seq: null, problem: `${at} ${e}` });
      return;
    }
    const problem = linkProblem(prev, e);
    if (problem) {
      // An event edited with its hash recomputed is caught here, by the link after it.
      const edited = prev && hashEvent(e) === e.hash && e.seq === prev.seq + 1 ? `: seq ${prev.seq} was changed or replaced` : '';
      chain.problems.push({ file: CHAIN_FILE, job: e.job, seq: e.seq, problem: `${at} (seq ${e.seq}) ${problem}${edited}` });
    }
    chain.events.push(e);
    if (!chain.bySeq.has(e.seq)) chain.bySeq.set(e.seq, e);
    prev = { seq: e.seq, hash: e.hash };
  });
  return chain;
}

export function checkBundle({ json, files }: Unpacked): BundleCheck {
  const shape = shapeProblem(json);
  if (shape)
    return {
      ok: false,
      spool: null,
      exported_at: null,
      head: null,
      chain: { first_seq: null, last_seq: null, events: 0 },
      jobs: [],
      problems: [{ file: BUNDLE_JSON, job: null, seq: null, problem: `was altered: it ${shape}` }],
    };
  const problems: Finding[] = [];
  const whole = (file: string | null, problem: string, seq: number | null = null) => problems.push({ file, job: null, seq, problem });
  if (bundleChecksum(json) !== json.checksum) whole(BUNDLE_JSON, 'was edited after export: its checksum does not match its contents');
  for (const [name, digest] of Object.entries(json.files)) {
    const data = files.get(name);
    if (!data) whole(name, 'is listed in bundle.json but missing from the bundle');
    else if (sha256(data) !== digest) whole(name, 'was altered: its sha256 is not the one bundle.json records');
  }
  for (const name of files.keys()) if (!(name in json.files)) whole(name, 'is not listed in bundle.json (added after export)');

  const chain = readChain(files.get(json.chain.file));
  problems.push(...chain.problems);
  const first = chain.events[0];
  const last = chain.events.at(-1);
  if (!last) whole(json.chain.file, 'holds no events');
  else if (last.seq !== json.head.seq || last.hash !== json.head.hash)
    whole(
      BUNDLE_JSON,
      `names head seq ${json.head.seq} ${json.head.hash.slice(0, 8)} but the chain ends at seq ${last.seq} ${last.hash.slice(0, 8)}`,
      last.seq,
    );
  if (first && first.seq !== json.chain.first_seq)
    whole(
      json.chain.file,
      `starts at seq ${first.seq} where bundle.json says ${json.chain.first_seq} (events were removed from its start)`,
      first.seq,
    );
  const chainBreaks = problems.filter((p) => p.file === json.chain.file || p.file === BUNDLE_JSON);

  const jobs = json.jobs.map((job): JobProof => {
    const own = chain.events.filter((e) => e.job === job.id);
    const jobProblems: Finding[] = [];
    const listed = new Set(job.events);
    for (const seq of job.events) {
      const e = chain.bySeq.get(seq);
      if (!e)
        jobProblems.push({
          file: json.chain.file,
          job: job.id,
          seq,
          problem: `seq ${seq}, an event of job ${job.id}, is not in the chain (removed)`,
        });
      else if (e.job !== job.id)
        jobProblems.push({
          file: json.chain.file,
          job: job.id,
          seq,
          problem: `seq ${seq}, listed as job ${job.id}'s, is an event of ${e.job ?? 'no job'}`,
        });
    }
    for (const e of own)
      if (!listed.has(e.seq))
        jobProblems.push({
          file: BUNDLE_JSON,
          job: job.id,
          seq: e.seq,
          problem: `omits seq ${e.seq}, an event of job ${job.id} on the chain`,
        });
    if (own.length === 0) jobProblems.push({ file: json.chain.file, job: job.id, seq: null, problem: `holds no event of job ${job.id}` });
    jobProblems.push(...jobFileProblems(job, own, files));
    problems.push(...jobProblems);
    const mine = new Set(bundledFilesOf(job));
    const firstSeq = own[0]?.seq ?? null;
    // A break in the chain at or after the job's first event cuts its events off from the head.
    const breaking = [
      ...chainBreaks.filter((p) => firstSeq === null || p.seq === null || p.seq >= firstSeq),
      ...problems.filter((p) => p.file !== null && mine.has(p.file)),
      ...jobProblems,
    ];
    const end = own.filter((e) => e.type !== 'fenced').at(-1);
    const logs = job.logs.length;
    return {
      id: job.id,
      ok: breaking.length === 0,
      altered: [...new Set(breaking.map((p) => (p.seq === null ? (p.file ?? 'the bundle') : `${p.file ?? 'the bundle'} seq ${p.seq}`)))],
      outcome: end ? { type: end.type, attempt: end.attempt, at: end.at } : null,
      events: own.length,
      first_seq: firstSeq,
      last_seq: own.at(-1)?.seq ?? null,
      intact: breaking.length
        ? []
        : [
            ...(isBundled(job.manifest) ? ['manifest'] : []),
            ...(isBundled(job.plugin_def) ? ['plugin'] : []),
            ...(isBundled(job.env?.listing) ? ['environment listing'] : []),
            ...(logs ? [`${logs} log${logs === 1 ? '' : 's'}`] : []),
          ],
    };
  });
  return {
    ok: problems.length === 0,
    spool: json.spool,
    exported_at: json.exported_at,
    head: json.head,
    chain: { first_seq: first?.seq ?? null, last_seq: last?.seq ?? null, events: chain.events.length },
    jobs,
    problems,
  };
}
