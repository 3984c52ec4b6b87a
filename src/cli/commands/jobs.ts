/** spoolctl jobs list|show|log|requeue|hold|release|cancel|purge */
import type { Command } from 'commander';
import type { JobListing } from '../../api/jobs.js';
import type { JobSelector } from '../../api/selection.js';
import { UsageError } from '../../errors.js';
import { ACTION_STATES, JOB_ACTIONS, type JobAction } from '../../api/actions.js';
import { confirmed } from '../confirm.js';
import { parseDuration } from '../duration.js';
import { JOB_SORTS, type JobSort } from '../../ledger/queries.js';
import { ago, colourOnStdout, duration, humanTimes, percent, printJson, table } from '../output.js';
import { sinceTime } from '../schedule.js';
import { clipStart, plural } from '../text.js';
import { wholeNumber } from '../numbers.js';
import { spoolOf } from '../spool.js';
import { PAST, reportControl } from './control-output.js';
import { story } from './job-story.js';

interface FilterOptions {
  state?: string;
  plugin?: string;
  olderThan?: { text: string; ms: number };
  grep?: string;
}

const LOG_TAIL_BYTES = 65536;

const ABOUT: Record<JobAction, string> = {
  requeue: 'put failed, done or held jobs (cancelled ones by id or --state cancelled) back in the queue, attempts reset',
  hold: 'keep pending jobs from being dispatched',
  release: 'let held jobs be dispatched again',
  cancel: 'stop pending, held or running jobs: they end in cancelled/',
  purge: 'remove the files and logs of done, failed, cancelled or rejected jobs, keeping their history',
};

function withFilters(cmd: Command, stateHelp: string): Command {
  return cmd
    .option('--state <state>', stateHelp)
    .option('--plugin <name>', 'only jobs of this plugin')
    .option('--older-than <age>', 'only jobs that finished, or if unfinished were submitted, longer ago than this (30m, 2h, 7d)', (v) => ({
      text: v,
      ms: parseDuration('--older-than', v),
    }))
    .option('--grep <text>', 'only jobs whose id, plugin or last error contains this text (case-sensitive)');
}

/** Without "--", commander reads an id such as "-abc" (valid in a producer's file) as an option. */
function takesIds(cmd: Command): Command {
  return cmd.addHelpText('after', `\nIds that start with '-' go after '--': spoolctl jobs ${cmd.name()} [options] -- -abc`);
}

function sortKey(v: string): JobSort {
  if (!(JOB_SORTS as readonly string[]).includes(v)) throw new UsageError(`--sort takes one of ${JOB_SORTS.join(', ')} (got "${v}").`);
  return v as JobSort;
}

function selector(o: FilterOptions): JobSelector {
  return { state: o.state, plugin: o.plugin, grep: o.grep, olderThanMs: o.olderThan?.ms };
}

/** The filters in words, for the confirmation question: "state failed, plugin ocr". */
function describe(o: FilterOptions, jobs: JobListing[]): string {
  const parts = [
    ...(o.state ? [`state ${o.state}`] : []),
    ...(o.plugin ? [`plugin ${o.plugin}`] : []),
    ...(o.olderThan ? [`older than ${o.olderThan.text}`] : []),
    ...(o.grep ? [`matching "${o.grep}"`] : []),
  ];
  if (!o.state && jobs.length > 0) {
    const byState = new Map<string, number>();
    for (const j of jobs) byState.set(j.state, (byState.get(j.state) ?? 0) + 1);
    parts.push([...byState].map(([st, n]) => `${n} ${st}`).join(', '));
  }
  return parts.join(', ');
}

/** On a terminal, lines fit its width and states are coloured; into a pipe or a file, whole lines and no colour. */
function jobsTable(rows: JobListing[], colour?: (state: string) => ((text: string) => string) | undefined): string {
  const terminal = process.stdout.isTTY === true;
  return table(
    ['ID', 'STATE', 'PLUGIN', 'PRI', 'ATTEMPTS', 'PROGRESS', 'DURATION', 'UPDATED', 'INPUT', 'WAITING', 'LAST ERROR'],
    rows.map((r) => [
      r.id,
      r.state,
      r.plugin,
      r.priority,
      r.attempts,
      r.state === 'claimed' ? percent(r.progress) : null,
      duration(r.duration_s),
      ago(r.updated_at),
      r.input === null ? null : clipStart(r.input, 32),
      r.waiting,
      r.last_error,
    ]),
    {
      // A pseudo-terminal with no size behind it (script(1) in a job) says 0 columns: no limit then.
      ...(terminal && (process.stdout.columns ?? 0) > 0 ? { width: process.stdout.columns } : {}),
      ...(colour ? { paint: (row: number, col: number) => (col === 1 ? colour(rows[row]!.state) : undefined) } : {}),
    },
  );
}

export function addJobsCommands(program: Command): void {
  const jobs = program.command('jobs').description('list, inspect and administer jobs');
  withFilters(
    jobs.command('list').description('list jobs from the ledger'),
    'pending, scheduled (pending, waiting for a time), claimed (or running), done, failed, cancelled, held, rejected, or purged (listed only when named)',
  )
    .option(
      '--since <age|time>',
      'only jobs whose last change came since then: an age (30m, 2h, 7d), HH:MM (the last such local time) or an ISO 8601 time with a zone',
      (v) => sinceTime(v),
    )
    .option('--sort <key>', `order by ${JOB_SORTS.join(', ')} (oldest, highest, A-Z, most, longest first)`, sortKey)
    .option('-r, --reverse', 'the other way round')
    .option('--limit <n>', 'at most this many', wholeNumber('--limit'))
    .option('--json', 'print JSON')
    .action(
      async (opts: FilterOptions & { since?: string; sort?: JobSort; reverse?: boolean; limit?: number; json?: boolean }, cmd: Command) => {
        const { listJobsOrFiles } = await import('../../api/jobs.js');
        const { since, sort, reverse, limit } = opts;
        const list = listJobsOrFiles(
          await spoolOf(cmd),
          { ...selector(opts), since, sort, reverse, limit },
          opts.json ? undefined : humanTimes,
        );
        if (!list.ledger)
          process.stderr.write(
            `spoolctl: the spool has no ledger yet on this host (no sentinel has run on it, or it runs on another host): these are the job files in ${list.fromFiles.join(', ')}; done/ is not listed.\n`,
          );
        if (opts.json) return printJson(list.jobs);
        const colour = colourOnStdout() ? (await import('../state-colours.js')).stateColour : undefined;
        process.stdout.write(`${jobsTable(list.jobs, colour)}\n${plural(list.jobs.length, 'job')}\n`);
      },
    );
  takesIds(jobs.command('show'))
    .argument('<id>', 'a job id, or the name of a file in rejected/')
    .description("a job's row, manifest, ledger history and log tail")
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const { showJob } = await import('../../api/jobs.js');
      const j = showJob(await spoolOf(cmd), id, undefined, opts.json ? undefined : humanTimes);
      if (opts.json) return printJson(j);
      process.stdout.write(`${story(j).join('\n')}\n`);
    });
  takesIds(jobs.command('log'))
    .argument('<id>')
    .description(`print the end of a job's log (logs/<id>.log); with -f, follow it until the job is done, failed or cancelled`)
    .option('-f, --follow', 'keep printing what the job writes until it finishes; exit 0 if it is done, 1 if not')
    .option('--bytes <n>', 'print at most the last N bytes', wholeNumber('--bytes'), LOG_TAIL_BYTES)
    .action(async (id: string, opts: { follow?: boolean; bytes: number }, cmd: Command) => {
      const { FINISHED_STATES, followJobLog, jobLogTail, PURGED } = await import('../../api/jobs.js');
      const s = await spoolOf(cmd);
      const tail = jobLogTail(s, id, opts.bytes);
      if (tail.start > 0)
        process.stderr.write(
          `spoolctl: the last ${tail.end - tail.start} of ${tail.end} bytes of logs/${id}.log (--bytes N shows more):\n`,
        );
      process.stdout.write(tail.data);
      if (opts.follow) {
        const job = await followJobLog(s, id, tail.end, (chunk) => process.stdout.write(chunk));
        if (job.state !== 'done') {
          process.stderr.write(`spoolctl: job ${id} is ${job.state}, not done${job.last_error ? `: ${job.last_error}` : ''}.\n`);
          process.exitCode = 1;
        }
      } else if (tail.end === 0) {
        if (tail.job.state === PURGED)
          throw new Error(`Job ${id} was purged: its log was removed with its files (\`spoolctl jobs show ${id}\` has its history).`);
        const over = FINISHED_STATES.includes(tail.job.state);
        process.stderr.write(
          over
            ? `spoolctl: job ${id} has no log: it is ${tail.job.state} and printed nothing (\`spoolctl jobs show ${id}\` has its history).\n`
            : `spoolctl: job ${id} has no log yet (it is ${tail.job.state}); -f waits for it.\n`,
        );
      }
    });
  for (const action of JOB_ACTIONS) {
    withFilters(
      takesIds(jobs.command(action)).argument('[ids...]').description(`${ABOUT[action]} (by id or by filter), through the sentinel`),
      `only jobs in this state: ${[...ACTION_STATES[action].from, ...(ACTION_STATES[action].named ?? [])].join(', ')}`,
    )
      .option('--dry-run', 'list the jobs the filters select, and change nothing')
      .option('-y, --yes', 'go ahead without asking (required without a terminal)')
      .option('--no-wait', 'queue the request and return at once')
      .action(async (ids: string[], opts: FilterOptions & { dryRun?: boolean; yes?: boolean; wait: boolean }, cmd: Command) => {
        const { requestJobAction } = await import('../../api/control.js');
        const { selectJobs, selects } = await import('../../api/selection.js');
        const s = await spoolOf(cmd);
        const filter = selector(opts);
        if (ids.length > 0) {
          if (selects(filter) || opts.dryRun)
            throw new UsageError(
              `Name job ids or select jobs with filters, not both${opts.dryRun ? ' (--dry-run lists what filters select)' : ''}.`,
            );
          process.exitCode = reportControl(await requestJobAction(s, action, ids, { wait: opts.wait }));
          return;
        }
        const picked = selectJobs(s, action, filter);
        const what = describe(opts, picked);
        if (picked.length === 0) {
          process.stdout.write(`No jobs to ${action} (${what}).\n`);
          return;
        }
        if (opts.dryRun) {
          process.stdout.write(
            `${jobsTable(picked)}\n${plural(picked.length, 'job')} would be ${PAST[action]}; nothing was changed (--dry-run).\n`,
          );
          return;
        }
        const verb = `${action[0]!.toUpperCase()}${action.slice(1)}`;
        const count = plural(picked.length, 'job');
        const refusal = `Did not ${action} ${count}: stdin is not a terminal to confirm on; pass --yes to ${action} them.`;
        if (!(await confirmed(`${verb} ${count} (${what})?`, opts.yes, refusal))) {
          process.stderr.write(`spoolctl: nothing was ${PAST[action]}.\n`);
          process.exitCode = 1;
          return;
        }
        process.exitCode = reportControl(
          await requestJobAction(
            s,
            action,
            picked.map((j) => j.id),
            { wait: opts.wait },
          ),
          true,
        );
      });
  }
}
