/** spoolctl failpoints: the named failpoints, one line each. */
import type { Command } from 'commander';
import { FAILPOINTS } from '../../faults/points.js';
import { printJson } from '../output.js';

export function addFailpointsCommand(program: Command): void {
  program
    .command('failpoints')
    .description('list the failpoints that SPOOLCTL_FAILPOINTS can arm')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) return printJson(FAILPOINTS);
      const width = Math.max(...Object.keys(FAILPOINTS).map((k) => k.length));
      const lines = Object.entries(FAILPOINTS).map(([name, what]) => `${name.padEnd(width)}  ${what}`);
      process.stdout.write(
        `${lines.join('\n')}\n\nArm with SPOOLCTL_FAILPOINTS="name=[P%][N*]action[(arg)];..." (actions: crash, exit(code), sleep(ms), error(CODE), pause, off);\nSPOOLCTL_FAILPOINTS_SEED makes probabilities repeatable.\n`,
      );
    });
}
