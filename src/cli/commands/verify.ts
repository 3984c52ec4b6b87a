/** spoolctl verify [--json]: the spool's invariants; exit 1 on any violation. */
import type { Command } from 'commander';
import type { JournalCheck } from '../../api/journal.js';
import { printJson } from '../output.js';
import { spoolOf } from '../spool.js';

export function addVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      'check the spool and its ledger: every job in one place, ledger = spool, one completion per job, chain intact, the journal agrees with the ledger, no orphaned claim',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { verifySpool } = await import('../../api/verify.js');
      const report = verifySpool(await spoolOf(cmd));
      if (opts.json) printJson(report);
      else {
        for (const v of report.violations) {
          process.stdout.write(`${v.kind}${v.job ? ` ${v.job}` : ''}${v.file ? ` (${v.file})` : ''}: ${v.detail}\n  fix: ${v.fix}\n`);
        }
        process.stdout.write(
          `${report.ok ? 'OK' : 'FAILED'}: ${report.jobs_in_spool} jobs in the spool, ${report.jobs_in_ledger} in the ledger, ${report.events} events, ${journalSummary(report.journal)}, ${report.violations.length} violation(s)\n`,
        );
      }
      process.exitCode = report.ok ? 0 : 1;
    });
}

function journalSummary(j: JournalCheck | null): string {
  if (!j) return 'no journal';
  return `journal ${j.ok ? 'agrees' : 'DISAGREES'} (${j.lines} lines)`;
}
