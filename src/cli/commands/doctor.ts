/** spoolctl doctor [--json]: diagnose a spool from this host; exit 1 when any check fails. */
import type { Command } from 'commander';
import type { DoctorReport } from '../../api/doctor.js';
import { printJson } from '../output.js';
import { spoolArgs } from '../spool-args.js';

function render(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${c.status.toUpperCase().padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`);
    if (c.fix) lines.push(`${' '.repeat(6)}fix: ${c.fix}`);
  }
  const count = (status: string) => report.checks.filter((c) => c.status === status).length;
  lines.push(`${report.ok ? 'OK' : 'FAILED'}: ${count('fail')} failed, ${count('warn')} warned, ${count('pass')} passed`);
  return `${lines.join('\n')}\n`;
}

export function addDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'diagnose the spool from this host: filesystem and mount options, clock skew, permissions, sentinel and slots, ledger integrity, plugin environments and commands, free space',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { diagnose } = await import('../../api/doctor.js');
      const report = diagnose(...spoolArgs(cmd));
      if (opts.json) printJson(report);
      else process.stdout.write(render(report));
      process.exitCode = report.ok ? 0 : 1;
    });
}
