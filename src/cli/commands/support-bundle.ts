/** spoolctl support-bundle: one file with what helps diagnose a site from afar (README, "Support bundle"). */
import type { Command } from 'commander';
import { hostId } from '../../config/identity.js';
import { wholeNumber } from '../numbers.js';
import { spoolArgs } from '../spool-args.js';

export function addSupportBundleCommand(program: Command): void {
  program
    .command('support-bundle')
    .description(
      'write a tar.gz of doctor, status, config with origins, workers, versions, the newest ledger events and service logs, secrets redacted',
    )
    .option('--out <file>', 'where to write it (default: spoolctl-support-HOST-TIME.tar.gz here)')
    .option('--events <n>', 'the newest ledger events to include', wholeNumber('--events'), 1000)
    .option('--log-bytes <n>', 'the end of each service log to include, in bytes', wholeNumber('--log-bytes'), 256 * 1024)
    .action(async (opts: { out?: string; events: number; logBytes: number }, cmd: Command) => {
      const { supportBundleEntries } = await import('../../api/support-bundle.js');
      const { writeTarGz } = await import('../../archive/targz.js');
      const out = opts.out ?? `spoolctl-support-${hostId()}-${new Date().toISOString().slice(0, 19).replace(/[-:]/g, '')}.tar.gz`;
      const [flag, spoolOpts] = spoolArgs(cmd);
      const { entries, failed } = supportBundleEntries(flag, spoolOpts, { events: opts.events, logBytes: opts.logBytes });
      await writeTarGz(out, entries);
      if (failed.length) process.stderr.write(`spoolctl: could not collect ${failed.join(', ')}: see the .error.txt files in the bundle\n`);
      process.stdout.write(`wrote ${out} (${entries.length} files)\n`);
    });
}
