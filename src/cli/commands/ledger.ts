/** spoolctl ledger verify [--json] */
import type { Command } from 'commander';
import { printJson } from '../output.js';
import { spoolArgs } from '../spool-args.js';

export function addLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('the audit ledger');
  ledger
    .command('verify')
    .description('recompute the hash chain and name every row that does not fit')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { verifyLedger } = await import('../../api/ledger.js');
      const { openSpool } = await import('../../api/spool.js');
      const report = verifyLedger(openSpool(...spoolArgs(cmd)));
      if (opts.json) printJson(report);
      else if (report.ok) process.stdout.write(`ledger OK: ${report.events} events, hash chain intact\n`);
      else {
        for (const p of report.problems) process.stdout.write(`row ${p.seq}: ${p.problem}\n`);
        process.stderr.write(
          `spoolctl: the ledger fails verification (${report.problems.length} problem(s)); it has been altered outside spoolctl.\n`,
        );
      }
      process.exitCode = report.ok ? 0 : 1;
    });
  ledger
    .command('rebuild')
    .description('rebuild a corrupt or lost ledger from the spool (the sentinel must be stopped)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { rebuildLedger } = await import('../../api/ledger.js');
      const { openSpool } = await import('../../api/spool.js');
      const r = await rebuildLedger(openSpool(...spoolArgs(cmd)));
      if (opts.json) return printJson(r);
      const states =
        Object.entries(r.by_state)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none';
      process.stdout.write(
        [
          `Rebuilt ${r.ledger} from the spool: ${r.jobs} jobs (${states}).`,
          "What was lost: each job's event history before now; every job starts again with one reconciled event.",
          r.kept_aside.length ? `The old ledger is kept aside as ${r.kept_aside.join(', ')}.` : 'There was no old ledger file.',
        ].join('\n') + '\n',
      );
    });
}
