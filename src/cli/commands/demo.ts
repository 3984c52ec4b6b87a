/** spoolctl demo: what `npm start` runs. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { HARD_SLOT_CAP } from '../../config/schema.js';
import { noColorRequested } from '../../config/identity.js';
import { loadTui } from '../load-tui.js';
import { spoolArgs } from '../spool-args.js';
import type { Spool } from '../../api/spool.js';

export function addDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a demo: a fresh spool, a sentinel, workers, a batch of jobs, a live view')
    .option('--dir <dir>', 'where to create the demo spool (replaced on each run)', '.demo-spool')
    .option(
      '--workers <n>',
      'workers to start',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > HARD_SLOT_CAP) throw new UsageError(`--workers takes 1 to ${HARD_SLOT_CAP} (got "${v}").`);
        return n;
      },
      4,
    )
    .option('--exit-when-done', 'stop once every job has settled instead of waiting for Ctrl-C')
    .option('--no-tui', 'show the plain-text view even on a terminal')
    .action(async (opts: { dir: string; workers: number; exitWhenDone?: boolean; tui: boolean }, cmd: Command) => {
      const { runDemo } = await import('../../demo/run.js');
      const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
      const view =
        terminal && opts.tui && !opts.exitWhenDone
          ? async (s: Spool) => {
              const runTui = await loadTui();
              return runTui(s, { color: !noColorRequested(), ascii: false, readonly: false });
            }
          : undefined;
      const [, spool] = spoolArgs(cmd);
      process.exitCode = await runDemo({ dir: opts.dir, workers: opts.workers, exitWhenDone: opts.exitWhenDone ?? false, view, spool });
    });
}
