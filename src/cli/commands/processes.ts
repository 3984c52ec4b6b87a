/** spoolctl sentinel | spoolctl worker [--slot N]: the long-running roles, in the foreground. */
import { Option, type Command } from 'commander';
import { tagProblem } from '../../config/tags.js';
import { UsageError } from '../../errors.js';
import { chooseLogFormat, type LogFormat } from '../../log.js';
import type { GlobalOptions } from '../main.js';
import { spoolOf } from '../spool.js';

export function addProcessCommands(program: Command): void {
  program
    .command('sentinel')
    .description('run the spool sentinel in the foreground (one per spool; SIGTERM stops it)')
    .option('--standby', 'wait while another host runs the sentinel, and take over when it is gone')
    .addOption(logFormatOption())
    .action(async (opts: { standby?: boolean; logFormat?: LogFormat }, cmd: Command) => {
      chooseLogFormat(opts.logFormat);
      const { runSentinel } = await import('../../sentinel/loop.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const s = await spoolOf(cmd);
      exitAfterCleanup(await runSentinel(s.l, s.loaded, { verbose: g.verbose, standby: opts.standby }));
    });
  program
    .command('worker')
    .description('run a worker in the foreground on the lowest free slot (SIGTERM: finish or hand back the job, then exit)')
    .option('--slot <n>', 'take this slot instead of the lowest free one', (v) => {
      if (!/^\d+$/.test(v)) throw new UsageError(`--slot takes a slot number (got "${v}").`);
      return Number(v);
    })
    .option(...tagOption('a tag this worker advertises, added to worker.tags: jobs that require it can run here (repeatable)'))
    .addOption(logFormatOption())
    .action(async (opts: { slot?: number; tag: string[]; logFormat?: LogFormat }, cmd: Command) => {
      chooseLogFormat(opts.logFormat);
      const { runWorker } = await import('../../worker/main.js');
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const s = await spoolOf(cmd);
      exitAfterCleanup(await runWorker(s.l, s.loaded, { slot: opts.slot, tags: opts.tag, verbose: g.verbose }));
    });
}

/** `--tag TAG`, repeatable, each checked as it is parsed: worker, start-services and supervise share it. */
export function tagOption(description: string): [string, string, (v: string, all: string[]) => string[], string[]] {
  return [
    '--tag <tag>',
    description,
    (v, all) => {
      const problem = tagProblem(v, '--tag');
      if (problem) throw new UsageError(`${problem}.`);
      return [...all, v];
    },
    [],
  ];
}

const logFormatOption = () =>
  new Option('--log-format <format>', 'human lines or JSON lines on stderr (default: human on a terminal, else JSON)').choices([
    'human',
    'json',
  ]);

/**
 * The roles have released their locks and flushed the ledger when they return. A watcher
 * whose close timed out must not keep the process alive after that.
 */
function exitAfterCleanup(code: number): never {
  process.exit(code);
}
