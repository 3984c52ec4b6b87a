/** spoolctl submit --plugin P [--input X] [--param K=V]... [--priority N] [--max-attempts N] */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { GlobalOptions } from '../main.js';

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

export function addSubmitCommand(program: Command): void {
  program
    .command('submit')
    .description('submit a job; prints its id')
    .requiredOption('--plugin <name>', 'plugin to run (plugins/<name>.json)')
    .option('--input <text>', 'input passed to the plugin as {input}')
    .option('--param <key=value>', 'a parameter for {params.KEY} (repeatable)', param, {})
    .option('--priority <n>', 'higher runs first (default 0)', integer('--priority'))
    .option('--max-attempts <n>', 'attempts before the job fails', integer('--max-attempts'))
    .option('--id <id>', 'use this id instead of a generated one')
    .action(async (opts: { plugin: string; input?: string; param: Record<string, string>; priority?: number; maxAttempts?: number; id?: string }, cmd: Command) => {
      const { submitJob, waitingWarning } = await import('../../api/submit.js');
      const { openSpool } = await import('../../api/spool.js');
      const s = openSpool(cmd.optsWithGlobals<GlobalOptions>().spool);
      const id = submitJob(s, { plugin: opts.plugin, input: opts.input, params: opts.param, priority: opts.priority, maxAttempts: opts.maxAttempts, id: opts.id });
      process.stdout.write(`${id}\n`);
      // stdout stays the id alone; why the job will wait goes to stderr.
      const waiting = waitingWarning(s);
      if (waiting) process.stderr.write(`spoolctl: warning: ${waiting}\n`);
    });
}
