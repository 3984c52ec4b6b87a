/**
 * The spoolctl command line: parse, call src/api (or run a process role), print.
 * Exit codes: 0 success, 1 failure, 2 usage error. Errors are one sentence on stderr.
 */
import { Command, CommanderError } from 'commander';
import { failpointSettings } from '../config/identity.js';
import { UsageError } from '../errors.js';
import { skewClock } from '../faults/clock-skew.js';
import { configureFailpoints } from '../faults/failpoints.js';
import { addChaosCommand } from './commands/chaos.js';
import { addCompletionCommands } from './commands/completion.js';
import { addConfigCommands } from './commands/config.js';
import { addDemoCommand } from './commands/demo.js';
import { addDispatchCommands } from './commands/dispatch.js';
import { addDoctorCommand } from './commands/doctor.js';
import { addEvidenceCommands } from './commands/evidence.js';
import { addFailpointsCommand } from './commands/failpoints.js';
import { addInitCommand } from './commands/init.js';
import { addJobsCommands } from './commands/jobs.js';
import { addLedgerCommands } from './commands/ledger.js';
import { addProcessCommands } from './commands/processes.js';
import { addRunCommand } from './commands/run.js';
import { addServicesCommands } from './commands/services.js';
import { addStatusCommand } from './commands/status.js';
import { addSubmitCommand } from './commands/submit.js';
import { addTuiCommand } from './commands/tui.js';
import { addVerifyCommand } from './commands/verify.js';
import { addMetricsCommand } from './commands/metrics.js';
import { addSupportBundleCommand } from './commands/support-bundle.js';
import { addWorkersCommands } from './commands/workers.js';
import { showTimesInUtc } from './output.js';
import { refuseSeveralSpools } from './spool-args.js';
import { oneLineUsageErrors } from './usage.js';

export interface GlobalOptions {
  /** Every --spool given: only status and tui take more than one. */
  spool?: string[];
  verbose?: boolean;
  set?: string[];
  utc?: boolean;
}

const program = new Command('spoolctl')
  .description('Job dispatcher over a file-based spool, with an audit ledger')
  .option('-V, --version', 'print the versions of spoolctl, Node.js (and its ABI) and SQLite')
  .option(
    '--spool <dir>',
    'the spool directory (else SPOOLCTL_SPOOL, else the nearest parent with spool.toml); status and tui take several',
    (v: string, all: string[] = []) => [...all, v],
  )
  .option('-v, --verbose', 'more log output from long-running processes')
  .option(
    '--set <section.key=value>',
    'override a configuration key for this command (repeatable; the top layer)',
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .option('--utc', 'show times in UTC rather than local time (JSON is always UTC)')
  .hook('preAction', async (_program, action) => {
    refuseSeveralSpools(action);
    showTimesInUtc(program.opts<GlobalOptions>().utc === true);
    // Each command passes its --set flags to openSpool; a malformed one is refused here, before
    // any command runs, those that open no spool included.
    const sets = program.opts<GlobalOptions>().set ?? [];
    if (sets.length > 0) (await import('../api/spool.js')).commandLineSettings(sets);
  });

addInitCommand(program);
addSubmitCommand(program);
addRunCommand(program);
addProcessCommands(program);
addServicesCommands(program);
addStatusCommand(program);
addJobsCommands(program);
addEvidenceCommands(program);
addWorkersCommands(program);
addDispatchCommands(program);
addLedgerCommands(program);
addConfigCommands(program);
addDemoCommand(program);
addDoctorCommand(program);
addFailpointsCommand(program);
addVerifyCommand(program);
addMetricsCommand(program);
addSupportBundleCommand(program);
addChaosCommand(program);
addTuiCommand(program);
addCompletionCommands(program);

oneLineUsageErrors(program);

/** Runs the command; no top-level await, so that the build can bundle the CLI as one CommonJS file. */
async function main(): Promise<void> {
  try {
    // --version opens the SQLite binding, which no other command's start-up should pay for.
    if (process.argv[2] === '--version' || process.argv[2] === '-V') {
      process.stdout.write((await import('../api/versions.js')).versionText());
      process.exit(0);
    }
    const fp = failpointSettings();
    configureFailpoints(fp.spec, fp.seed);
    skewClock(fp.clockSkewMs);
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    const e = err as Error;
    process.stderr.write(`spoolctl: ${e.message}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  }
}

void main();
