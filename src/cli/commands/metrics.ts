/** spoolctl metrics: OpenMetrics text for a scraper or node_exporter's textfile collector (README, "Metrics"). */
import type { Command } from 'commander';
import { spoolOf } from '../spool.js';

export function addMetricsCommand(program: Command): void {
  program
    .command('metrics')
    .description(
      "print the spool's metrics as OpenMetrics text: jobs by state, oldest pending age, outcomes and attempt durations by plugin, slots, sentinel up, ledger size",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const { spoolMetrics } = await import('../../api/metrics.js');
      process.stdout.write(spoolMetrics(await spoolOf(cmd)));
    });
}
