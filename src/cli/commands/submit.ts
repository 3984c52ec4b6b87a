/** spoolctl submit --plugin P [--input X] [--param K=V]... [--priority N] [--max-attempts N] [--id ID] */
import type { Command } from 'commander';
import type { SubmitInput } from '../../api/submit.js';
import { UsageError } from '../../errors.js';
import { isValidId } from '../../spool/layout.js';
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

/** The job flags, which `run` takes from submit. */
export interface JobFlags {
  plugin: string;
  input?: string;
  param: Record<string, string>;
  priority?: number;
  maxAttempts?: number;
  id?: string;
}

/** The job the flags describe. */
export function jobOf(f: JobFlags): SubmitInput {
  return { plugin: f.plugin, input: f.input, params: f.param, priority: f.priority, maxAttempts: f.maxAttempts, id: f.id };
}

export function addSubmitCommand(program: Command): void {
  program
    .command('submit')
    .description('submit a job; prints its id')
    .requiredOption('--plugin <name>', 'plugin to run (plugins/<name>.json)')
    .option('--input <text>', 'input passed to the plugin as {input}')
    .option('--param <key=value>', 'a parameter for {params.KEY} (repeatable)', param, {})
    .option('--priority <n>', 'higher runs first (default 0)', integer('--priority'))
    .option('--max-attempts <n>', 'attempts before the job fails', integer('--max-attempts'))
    .option(
      '--id <id>',
      'use this id instead of a generated one (1-64 letters, digits, "_" or "-", not starting with "-"); it must be new to the spool',
      jobId,
    )
    .action(async (opts: JobFlags, cmd: Command) => {
      const { submitJob, waitingWarning } = await import('../../api/submit.js');
      const s = await spoolOf(cmd);
      const id = submitJob(s, jobOf(opts));
      process.stdout.write(`${id}\n`);
      // stdout stays the id alone; why the job will wait goes to stderr.
      const waiting = waitingWarning(s);
      if (waiting) process.stderr.write(`spoolctl: warning: ${waiting}\n`);
    });
}
