/**
 * spoolctl submit --plugin P [--input X | --inputs-from FILE] | --manifests-from FILE, with the
 * job flags (--param, --priority, --max-attempts, --id, --at/--in, --after, --requires).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Draft } from '../../api/batch.js';
import type { SubmitInput } from '../../api/submit.js';
import { tagProblem } from '../../config/tags.js';
import { UsageError } from '../../errors.js';
import { isValidId } from '../../spool/layout.js';
import { printJson } from '../output.js';
import { atTime, inTime } from '../schedule.js';
import { readAllStdin } from '../stdin.js';
import { spoolOf } from '../spool.js';

function integer(flag: string) {
  return (v: string) => {
    if (!/^-?\d+$/.test(v)) throw new UsageError(`${flag} takes a whole number (got "${v}").`);
    return Number(v);
  };
}

function param(v: string, acc: Record<string, string>) {
  const eq = v.indexOf('=');
  if (eq <= 0) throw new UsageError(`--param takes KEY=VALUE (got "${v}").`);
  return { ...acc, [v.slice(0, eq)]: v.slice(eq + 1) };
}

/**
 * An id a producer's file may carry can start with "-"; one chosen on the command line may not,
 * so that the id can be typed after every command that takes ids without "--".
 */
function jobId(v: string): string {
  if (v.startsWith('-'))
    throw new UsageError(
      `--id cannot start with "-" (got "${v}"): commands that take ids would read it as an option, so start it with a letter, a digit or "_".`,
    );
  if (!isValidId(v)) throw new UsageError(`--id takes 1-64 letters, digits, "_" or "-" (got "${v}"): choose an id made of those only.`);
  return v;
}

function afterId(v: string, all: string[]): string[] {
  if (!isValidId(v)) throw new UsageError(`--after takes a job id: 1-64 letters, digits, "_" or "-" (got "${v}").`);
  return [...all, v];
}

function requiredTag(v: string, all: string[]): string[] {
  const problem = tagProblem(v, '--requires');
  if (problem) throw new UsageError(`${problem}.`);
  return [...all, v];
}

/** The job flags, which `run` takes from submit. */
export interface JobFlags {
  plugin?: string;
  input?: string;
  param: Record<string, string>;
  priority?: number;
  maxAttempts?: number;
  id?: string;
  at?: string;
  in?: string;
  after: string[];
  requires: string[];
  inputsFrom?: string;
  manifestsFrom?: string;
}

/** The flags that describe a job, by the name `--help` shows. */
export function jobFlagsGiven(f: Partial<JobFlags>): string[] {
  const given: [string, boolean][] = [
    ['--input', f.input !== undefined],
    ['--param', Object.keys(f.param ?? {}).length > 0],
    ['--priority', f.priority !== undefined],
    ['--max-attempts', f.maxAttempts !== undefined],
    ['--id', f.id !== undefined],
    ['--at', f.at !== undefined],
    ['--in', f.in !== undefined],
    ['--after', (f.after ?? []).length > 0],
    ['--requires', (f.requires ?? []).length > 0],
  ];
  return given.filter(([, on]) => on).map(([name]) => name);
}

/** What the flags say of every job; the time is read once, so a whole batch gets one not_before. */
export function jobOf(f: JobFlags): SubmitInput {
  if (f.at !== undefined && f.in !== undefined) throw new UsageError('Give --at or --in, not both.');
  const notBefore = f.at !== undefined ? atTime(f.at) : f.in !== undefined ? inTime(f.in) : undefined;
  return {
    plugin: f.plugin,
    input: f.input,
    params: f.param,
    priority: f.priority,
    maxAttempts: f.maxAttempts,
    id: f.id,
    notBefore,
    after: f.after,
    requires: f.requires,
  };
}

/** The lines of FILE, or of stdin for "-", numbered from 1; blank lines are skipped. */
function linesOf(flag: string, file: string): { n: number; text: string }[] {
  let text: string;
  try {
    text = file === '-' ? readAllStdin() : readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${file}: cannot read it (${(err as Error).message}).`);
  }
  return text
    .split('\n')
    .map((line, i) => ({ n: i + 1, text: line.replace(/\r$/, '') }))
    .filter((l) => l.text.trim() !== '');
}

/** The jobs a batch flag describes, each with its line number; undefined without one. */
export function batchOf(
  f: JobFlags,
  fieldsOf: (i: SubmitInput, line?: Record<string, unknown>) => Record<string, unknown>,
): Draft[] | undefined {
  if (f.inputsFrom === undefined && f.manifestsFrom === undefined) return undefined;
  if (f.inputsFrom !== undefined && f.manifestsFrom !== undefined)
    throw new UsageError('Give --inputs-from or --manifests-from, not both.');
  const clash = jobFlagsGiven(f).find((x) => x === '--id' || x === '--input');
  if (clash)
    throw new UsageError(
      `${clash} names one job; with ${f.inputsFrom !== undefined ? '--inputs-from' : '--manifests-from'} each line is a job.`,
    );
  const shared = jobOf(f);
  const where = (file: string, n: number) => `${file === '-' ? 'stdin' : file} line ${n}`;
  let drafts: Draft[];
  if (f.inputsFrom !== undefined) {
    if (f.plugin === undefined) throw new UsageError('--inputs-from needs --plugin: each line is the input of a job of that plugin.');
    const file = f.inputsFrom;
    drafts = linesOf('--inputs-from', file).map((l) => ({ where: where(file, l.n), fields: fieldsOf({ ...shared, input: l.text }) }));
  } else {
    const file = f.manifestsFrom!;
    drafts = linesOf('--manifests-from', file).map((l) => {
      let line: unknown;
      try {
        line = JSON.parse(l.text);
      } catch (err) {
        throw new UsageError(`${where(file, l.n)}: not valid JSON (${(err as Error).message}); nothing was submitted.`);
      }
      if (typeof line !== 'object' || line === null || Array.isArray(line))
        throw new UsageError(`${where(file, l.n)}: not a JSON object (one manifest per line); nothing was submitted.`);
      return { where: where(file, l.n), fields: fieldsOf(shared, line as Record<string, unknown>) };
    });
  }
  if (drafts.length === 0)
    throw new UsageError(`${f.inputsFrom ?? f.manifestsFrom} has no jobs (every line is blank); nothing was submitted.`);
  return drafts;
}

export function addSubmitCommand(program: Command): void {
  program
    .command('submit')
    .description('submit a job (or one per line with --inputs-from or --manifests-from); prints the ids, one per line')
    .option('--plugin <name>', 'plugin to run (plugins/<name>.json); with --manifests-from, for lines that name none')
    .option('--input <text>', 'input passed to the plugin as {input}')
    .option('--param <key=value>', 'a parameter for {params.KEY} (repeatable)', param, {})
    .option('--priority <n>', 'higher runs first (default 0)', integer('--priority'))
    .option('--max-attempts <n>', 'attempts before the job fails', integer('--max-attempts'))
    .option(
      '--id <id>',
      'use this id instead of a generated one (1-64 letters, digits, "_" or "-", not starting with "-"); it must be new to the spool',
      jobId,
    )
    .option('--at <time>', 'not before this time: ISO 8601 with a zone (2026-05-01T14:30Z, ...+02:00), or HH:MM, the next such local time')
    .option('--in <delay>', 'not before this long from now: 30s, 10m, 2h, 1d')
    .option('--after <id>', 'only once this job is done (repeatable; a job of the spool or of this submission)', afterId, [])
    .option('--requires <tag>', 'only on a worker with this tag (repeatable; see `worker --tag`)', requiredTag, [])
    .option('--inputs-from <file>', 'one job per line of FILE (- for stdin), the line as its input; blank lines are skipped')
    .option('--manifests-from <file>', 'one job per line of FILE (- for stdin), each line a JSON manifest; ids are generated where absent')
    .option('--json', 'print the ids as a JSON array')
    .action(async (opts: JobFlags & { json?: boolean }, cmd: Command) => {
      const { fieldsOf, submitJob, submitJobs, waitingWarning } = await import('../../api/submit.js');
      const batch = batchOf(opts, fieldsOf);
      if (!batch && opts.plugin === undefined) throw new UsageError('Name the job with --plugin P (or give --manifests-from FILE).');
      const s = await spoolOf(cmd);
      const ids = batch ? await submitJobs(s, batch) : [await submitJob(s, jobOf(opts))];
      if (opts.json) printJson(ids);
      else process.stdout.write(`${ids.join('\n')}\n`);
      // stdout stays the ids alone; why the jobs will wait goes to stderr.
      const waiting = waitingWarning(s);
      if (waiting) process.stderr.write(`spoolctl: warning: ${waiting}\n`);
    });
}
