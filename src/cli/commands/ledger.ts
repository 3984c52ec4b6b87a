/** spoolctl ledger verify [--json] */
import type { Command } from 'commander';
import { printJson } from '../output.js';
import { spoolOf } from '../spool.js';

export function addLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('the audit ledger');
  ledger
    .command('verify')
    .description('recompute the hash chain, name every row that does not fit, and check the journal on the share against it')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { verifyLedger } = await import('../../api/ledger.js');
      const report = verifyLedger(await spoolOf(cmd));
      const j = report.journal;
      if (opts.json) printJson(report);
      else if (report.ok) {
        const journal = !j
          ? 'no journal (journal.enabled is off)'
          : `journal agrees (${j.lines} lines, seq ${j.first_seq ?? '-'}..${j.last_seq ?? '-'}${j.from_genesis ? '' : ', older days pruned'})`;
        process.stdout.write(`ledger OK: ${report.events} events, hash chain intact; ${journal}\n`);
      } else {
        for (const p of report.problems) process.stdout.write(`row ${p.seq}: ${p.problem}\n`);
        if (j?.problem) process.stdout.write(`journal: ${j.problem.problem}\n`);
        process.stderr.write(
          report.problems.length
            ? `spoolctl: the ledger fails verification (${report.problems.length} problem(s)); it has been altered outside spoolctl.\n`
            : 'spoolctl: the journal on the share does not agree with the ledger (see above).\n',
        );
      }
      process.exitCode = report.ok ? 0 : 1;
    });
  ledger
    .command('rebuild')
    .description('rebuild a corrupt or lost ledger from the journal and the spool (the sentinel must be stopped)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { rebuildLedger } = await import('../../api/ledger.js');
      const r = await rebuildLedger(await spoolOf(cmd));
      if (opts.json) return printJson(r);
      const states =
        Object.entries(r.by_state)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none';
      process.stdout.write(
        [
          r.journal
            ? `Rebuilt ${r.ledger}: ${r.journal.replayed} events replayed from the journal, then checked against the spool: ${r.jobs} jobs (${states}).`
            : `Rebuilt ${r.ledger} from the spool: ${r.jobs} jobs (${states}).`,
          `What was lost: ${r.lost}`,
          r.kept_aside.length ? `The old ledger is kept aside as ${r.kept_aside.join(', ')}.` : 'There was no old ledger file.',
        ].join('\n') + '\n',
      );
    });
}
