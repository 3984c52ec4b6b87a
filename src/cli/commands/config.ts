/** spoolctl config show [--origin] [--json] */
import type { Command } from 'commander';
import { printJson, table } from '../output.js';
import { spoolArgs } from '../spool-args.js';

export function addConfigCommands(program: Command): void {
  const config = program.command('config').description('effective configuration');
  config
    .command('show')
    .description('print every effective value (with --origin, the layer that set it)')
    .option('--origin', 'show where each value came from')
    .option('--json', 'print JSON')
    .action(async (opts: { origin?: boolean; json?: boolean }, cmd: Command) => {
      const { effectiveConfig } = await import('../../api/spool.js');
      const { config: cfg, origins } = effectiveConfig(...spoolArgs(cmd));
      const rows = Object.entries(cfg).flatMap(([section, keys]) =>
        Object.entries(keys as Record<string, unknown>).map(([k, v]) => ({
          key: `${section}.${k}`,
          value: v,
          origin: origins[`${section}.${k}`],
        })),
      );
      if (opts.json) return printJson(rows);
      const headers = opts.origin ? ['KEY', 'VALUE', 'ORIGIN'] : ['KEY', 'VALUE'];
      process.stdout.write(
        `${table(
          headers,
          rows.map((r) => [r.key, JSON.stringify(r.value), ...(opts.origin ? [r.origin] : [])]),
        )}\n`,
      );
    });
}
