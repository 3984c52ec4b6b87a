/**
 * spoolctl tui: loads the Ink UI only when asked for, so other commands start fast. Several
 * spools (--spool given more than once, else tui.spools) open on a list of them.
 */
import type { Command } from 'commander';
import { noColorRequested } from '../../config/identity.js';
import { UsageError } from '../../errors.js';
import { loadTui } from '../load-tui.js';
import { replayTime } from '../schedule.js';
import { spoolArgs, spoolFlags } from '../spool-args.js';

export function addTuiCommand(program: Command): void {
  program
    .command('tui')
    .description('the live terminal UI: slots, queues, progress, ledger; actions on jobs and slots')
    .option('--no-color', 'no colour (also with NO_COLOR set): states are shown as words, bold and inverse')
    .option('--ascii', 'draw with ASCII only, for terminals without Unicode')
    .option('--readonly', 'hide every action: look, do not touch')
    .option('--refresh <ms>', 'reload at least this often', (v) => {
      if (!/^\d+$/.test(v) || Number(v) < 100) throw new UsageError(`--refresh takes milliseconds, at least 100 (got "${v}").`);
      return Number(v);
    })
    .option(
      '--at <time>',
      'replay: the spool as its ledger says it was then, read-only, with keys to step and play: a date and time here (2026-12-03 07:30), HH:MM[:SS], an age (2h) or an ISO time with a zone',
      (v) => replayTime(v),
    )
    .action(async (opts: { color: boolean; ascii?: boolean; readonly?: boolean; refresh?: number; at?: string }, cmd: Command) => {
      const { openSpool } = await import('../../api/spool.js');
      const { configuredSpools, distinctDirs, openSpools } = await import('../../api/spools.js');
      const [, spoolOpts] = spoolArgs(cmd);
      const flags = spoolFlags(cmd);
      const dirs = flags.length > 0 ? flags : configuredSpools(spoolOpts);
      // One spool is opened as it always was (its errors stop the command); several each get a row.
      const distinct = distinctDirs(dirs);
      const target = distinct.length > 1 ? openSpools(distinct, spoolOpts) : openSpool(dirs[0], spoolOpts);
      if (opts.at && Array.isArray(target)) throw new UsageError('--at replays one spool: give one --spool.');
      const replay =
        opts.at && !Array.isArray(target) ? (await import('../../api/replay.js')).Replay.open(target, Date.parse(opts.at)) : undefined;
      const runTui = await loadTui();
      process.exitCode = await runTui(target, {
        color: opts.color && !noColorRequested(),
        ascii: opts.ascii ?? false,
        readonly: opts.readonly ?? false,
        // The global --utc, which every command's human times follow (`spoolctl tui --utc` included).
        utc: cmd.optsWithGlobals<{ utc?: boolean }>().utc === true,
        refreshMs: opts.refresh,
        replay,
      });
      replay?.close();
    });
}
