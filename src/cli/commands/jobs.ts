/** spoolctl jobs list|show|requeue|hold|release|cancel */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { JOB_ACTIONS } from '../../spool/control.js';
import { ago, percent, printJson, table } from '../output.js';
import type { GlobalOptions } from '../main.js';
import { reportControl } from './control-output.js';

export function addJobsCommands(program: Command): void {
  const jobs = program.command('jobs').description('list, inspect and administer jobs');
  jobs
    .command('list')
    .description('list jobs from the ledger')
    .option('--state <state>', 'pending, claimed, done, failed, held or rejected')
    .option('--plugin <name>', 'only jobs of this plugin')
    .option('--limit <n>', 'at most this many', (v) => {
      if (!/^\d+$/.test(v)) throw new UsageError(`--limit takes a whole number (got "${v}").`);
      return Number(v);
    })
    .option('--json', 'print JSON')
    .action(async (opts: { state?: string; plugin?: string; limit?: number; json?: boolean }, cmd: Command) => {
      const { queryJobs } = await import('../../api/jobs.js');
      const { openSpool } = await import('../../api/spool.js');
      const rows = queryJobs(openSpool(cmd.optsWithGlobals<GlobalOptions>().spool), { state: opts.state, plugin: opts.plugin, limit: opts.limit });
      if (opts.json) return printJson(rows);
      process.stdout.write(
        `${table(
          ['ID', 'STATE', 'PLUGIN', 'PRI', 'ATTEMPTS', 'PROGRESS', 'UPDATED', 'LAST ERROR'],
          rows.map((r) => [r.id, r.state, r.plugin, r.priority, r.attempts, r.state === 'claimed' ? percent(r.progress) : null, ago(r.updated_at), r.last_error]),
        )}\n${rows.length} job${rows.length === 1 ? '' : 's'}\n`,
      );
    });
  jobs
    .command('show')
    .argument('<id>')
    .description("a job's row, manifest, ledger history and log tail")
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const { showJob } = await import('../../api/jobs.js');
      const { openSpool } = await import('../../api/spool.js');
      const j = showJob(openSpool(cmd.optsWithGlobals<GlobalOptions>().spool), id);
      if (opts.json) return printJson(j);
      const lines = [
        `id        ${j.id}`,
        `state     ${j.state}${j.slot ? ` (slot ${j.slot})` : ''}`,
        `plugin    ${j.plugin ?? '-'}`,
        `attempts  ${j.attempts}${j.max_attempts ? ` of ${j.max_attempts}` : ''}`,
        `progress  ${percent(j.progress)}${j.message ? ` ${j.message}` : ''}`,
        `file      ${j.file ?? '-'}`,
        ...(j.last_error ? [`error     ${j.last_error}`] : []),
        '',
        table(
          ['SEQ', 'AT', 'EVENT', 'SLOT', 'ATTEMPT', 'BY', 'DETAIL'],
          j.events.map(({ seq, at, type, slot, attempt, actor, ...rest }) => [seq, at, type, slot, attempt, actor, JSON.stringify(rest)]),
        ),
        ...(j.log_tail ? ['', '--- log tail ---', j.log_tail.trimEnd()] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  for (const action of JOB_ACTIONS) {
    jobs
      .command(action)
      .argument('<ids...>')
      .description(`${action} jobs through the sentinel and wait until it has applied the request`)
      .option('--no-wait', 'queue the request and return at once')
      .action(async (ids: string[], opts: { wait: boolean }, cmd: Command) => {
        const { requestJobAction } = await import('../../api/control.js');
        const { openSpool } = await import('../../api/spool.js');
        const s = openSpool(cmd.optsWithGlobals<GlobalOptions>().spool);
        process.exitCode = reportControl(await requestJobAction(s, action, ids, { wait: opts.wait }));
      });
  }
}
