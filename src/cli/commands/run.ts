/** spoolctl run (FILES... | --plugin P [--input X] [--param K=V]...): submit, run to the end, stop. */
import { Command, Option } from 'commander';
import { spoolFromEnv } from '../../config/identity.js';
import { UsageError } from '../../errors.js';
import { sleep } from '../../proc.js';
import type { JobProgress, Started } from '../../api/run.js';
import type { Spool } from '../../api/spool.js';
import type { GlobalOptions } from '../main.js';
import { percent } from '../output.js';
import { clip, plural } from '../text.js';
import { spoolOf } from '../spool.js';
import { batchOf, jobFlagsGiven, jobOf, type JobFlags } from './submit.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function spoolOrHint(cmd: Command): Promise<Spool> {
  try {
    return await spoolOf(cmd);
  } catch (err) {
    // A new spool could run nothing (it has no plugins yet), so run points to init instead of making one.
    if (err instanceof UsageError && !cmd.optsWithGlobals<GlobalOptions>().spool && !spoolFromEnv()) {
      throw new UsageError(`${err.message} To make one: \`spoolctl init DIR\`, then define a plugin in DIR/plugins/<name>.json.`);
    }
    throw err;
  }
}

function describe(j: JobProgress): string {
  switch (j.state) {
    case 'submitted':
    case 'pending':
      return j.attempts > 0 ? `pending   attempt ${j.attempts} failed: ${j.last_error ?? 'worker lost'}; retrying` : 'pending';
    case 'claimed':
      return `running   attempt ${j.attempts}  ${percent(j.progress)}${j.message ? `  ${j.message}` : ''}`;
    case 'held':
      return `held      (\`spoolctl jobs release ${j.id}\` lets it run)`;
    case 'done':
      return 'done';
    default:
      return `${j.state}: ${j.last_error ?? 'no error recorded'}`;
  }
}

/** One line per job, redrawn in place; unfinished jobs first when they do not all fit. */
function terminalView(finished: (j: JobProgress) => boolean) {
  let drawn = 0;
  let last = '';
  return (jobs: JobProgress[]) => {
    const cols = Math.max(20, (process.stdout.columns || 80) - 1);
    const room = Math.max(2, (process.stdout.rows || 24) - 3);
    const idWidth = Math.min(24, Math.max(...jobs.map((j) => j.id.length)));
    let shown = jobs;
    let more = '';
    if (jobs.length > room) {
      shown = [...jobs.filter((j) => !finished(j)), ...jobs.filter(finished)].slice(0, room - 1);
      const rest = jobs.filter((j) => !shown.includes(j));
      const by = (st: string) => rest.filter((j) => j.state === st).length;
      more = `+${rest.length} more: ${by('done')} done, ${rest.filter(finished).length - by('done')} failed, ${rest.filter((j) => !finished(j)).length} unfinished`;
    }
    const lines = shown.map((j) => clip(`${clip(j.id, idWidth).padEnd(idWidth)}  ${describe(j)}`, cols));
    if (more) lines.push(clip(more, cols));
    const frame = lines.join('\n');
    if (frame === last) return;
    last = frame;
    process.stdout.write(`${drawn > 0 ? `\x1b[${drawn}A\r` : ''}${lines.map((l) => `\x1b[2K${l}\n`).join('')}\x1b[J`);
    drawn = lines.length;
  };
}

/** A line whenever a job changes state or attempt: for logs and pipes. */
function plainView() {
  const seen = new Map<string, string>();
  return (jobs: JobProgress[]) => {
    for (const j of jobs) {
      const key = `${j.state}/${j.attempts}`;
      if (seen.get(j.id) === key) continue;
      seen.set(j.id, key);
      const line = j.state === 'claimed' ? `running (attempt ${j.attempts})` : describe(j).replace(/ {2,}/g, ' ');
      say(`${j.id} ${line}`);
    }
  };
}

function whatStarted(st: Started): string {
  const parts = [...(st.sentinel ? ['the sentinel'] : []), ...(st.workers.length ? [plural(st.workers.length, 'worker')] : [])];
  return parts.join(' and ');
}

export function addRunCommand(program: Command): void {
  const submit = program.commands.find((c) => c.name() === 'submit');
  if (!submit) throw new Error('`submit` must be registered before `run`, which takes its job flags');
  const run = program
    .command('run')
    .description('submit jobs and follow them to the end; starts a sentinel and workers if none run, and stops only what it started')
    .argument('[files...]', 'manifest files to submit (or describe one job with --plugin)');
  // The job flags are submit's own (optional here), so the two commands never drift apart.
  for (const o of submit.options) {
    // run prints progress, not ids.
    if (o.long === '--json') continue;
    const copy = new Option(o.flags, o.description).default(o.defaultValue);
    if (o.parseArg) copy.argParser(o.parseArg);
    run.addOption(copy);
  }
  run.action(async (files: string[], opts: JobFlags, cmd: Command) => {
    const batchFlag = opts.inputsFrom !== undefined || opts.manifestsFrom !== undefined;
    if (files.length > 0 && (opts.plugin || batchFlag))
      throw new UsageError('Give manifest files, or --plugin (or --inputs-from, --manifests-from), not both.');
    if (files.length === 0 && !opts.plugin && !batchFlag)
      throw new UsageError('Nothing to run: give manifest files, or describe a job with --plugin P (see `spoolctl run --help`).');
    const jobFlags = jobFlagsGiven(opts);
    if (files.length > 0 && jobFlags.length > 0)
      throw new UsageError(`${jobFlags.join(', ')} describe a --plugin job; a manifest file holds its own.`);
    const { fieldsOf } = await import('../../api/submit.js');
    const batch = batchOf(opts, fieldsOf);
    const s = await spoolOrHint(cmd);
    const api = await import('../../api/run.js');

    let interrupted: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      interrupted ??= sig;
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const ids = await api.submitRun(s, batch ? { drafts: batch } : opts.plugin ? { job: jobOf(opts) } : { files });
    say(`Submitted ${plural(ids.length, 'job')} to ${s.l.root}.`);
    let started: Started;
    try {
      started = await api.startMissing(s, () => interrupted !== undefined);
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\nThe submitted jobs stay pending in the spool; they run once a sentinel and a worker run.`,
      );
    }
    const startedWhat = whatStarted(started);
    const using = [
      started.sentinel ? `Started the sentinel (pid ${started.sentinel.proc.pid})` : 'Using the sentinel already up',
      started.workers.length
        ? `started ${plural(started.workers.length, 'worker')} (pids ${started.workers.map((w) => w.proc.pid).join(', ')})`
        : `using the ${plural(started.liveBefore, 'live worker')}`,
    ];
    if (!interrupted) say(`${using.join('; ')}${startedWhat ? `; logs in ${started.logDir}` : ''}.`);

    // Whatever goes wrong from here on, what this run started does not outlive it.
    try {
      const finished = (j: JobProgress) => api.FINISHED.has(j.state);
      const draw = process.stdout.isTTY === true ? terminalView(finished) : plainView();
      const ours = [...started.workers, ...(started.sentinel ? [started.sentinel] : [])];
      const died = new Set<string>();
      let abandoned: string | undefined;
      let jobs = api.jobProgress(s, ids);
      while (!interrupted && !jobs.every(finished)) {
        draw(jobs);
        for (const c of ours.filter((c) => c.proc.exitCode !== null || c.proc.signalCode !== null)) {
          if (died.has(c.role)) continue;
          died.add(c.role);
          say(
            `${c.role} (pid ${c.proc.pid}) exited unexpectedly (${c.proc.signalCode ?? `code ${c.proc.exitCode}`}); its log is in ${started.logDir}.`,
          );
        }
        abandoned = died.size > 0 ? api.stalled(s) : undefined;
        if (abandoned) break;
        await sleep(300);
        jobs = api.jobProgress(s, ids);
      }
      draw(jobs);

      if (interrupted || abandoned) {
        const why = interrupted ? (interrupted === 'SIGINT' ? 'Ctrl-C' : interrupted) : `Giving up: ${abandoned}`;
        say(`${why}: ${startedWhat ? `stopping ${startedWhat} this run started` : 'nothing to stop (this run started nothing)'}...`);
        await api.stopStarted(s, started);
        jobs = api.jobProgress(s, ids);
        const left = jobs.filter((j) => !finished(j));
        const states = [...new Set(left.map((j) => j.state))].map((st) => `${left.filter((j) => j.state === st).length} ${st}`);
        say(
          left.length === 0
            ? 'Every submitted job had finished.'
            : `${left.length} of the ${plural(ids.length, 'submitted job')} are unfinished and stay in the spool (${states.join(', ')}): none is lost; they run when a sentinel and workers run again.`,
        );
      } else if (startedWhat) {
        say(`Stopping ${startedWhat} this run started...`);
        await api.stopStarted(s, started);
      }
      const failed = jobs.filter((j) => finished(j) && j.state !== 'done');
      say(`${plural(ids.length, 'job')}: ${jobs.filter((j) => j.state === 'done').length} done, ${failed.length} failed.`);
      for (const j of failed) say(`  ${j.id} ${describe(j)}`);
      process.exitCode = interrupted ? (interrupted === 'SIGINT' ? 130 : 143) : abandoned || failed.length > 0 ? 1 : 0;
    } catch (err) {
      await api.stopStarted(s, started).catch(() => undefined);
      throw err;
    }
  });
}
