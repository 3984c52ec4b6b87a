/**
 * `spoolctl demo` (what `npm start` runs): a fresh demo spool, a sentinel and 4 workers as
 * child processes, a batch of jobs, and a live view until Ctrl-C (or, with --exit-when-done,
 * until every job has settled). Stopping stops every process the demo started and leaves no
 * slot lock behind.
 */
import { resolve } from 'node:path';
import { getStatus, type Status } from '../api/status.js';
import { queryJobs } from '../api/jobs.js';
import type { Spool, SpoolOptions } from '../api/spool.js';
import { startRole, stopChildren, waitFor, type Child } from '../fleet/processes.js';
import { selfForHints } from '../paths.js';
import { holdSignals } from '../proc.js';
import { processLogPath } from '../spool/layout.js';
import { createDemoSpool, submitDemoBatch } from './spool.js';
import { renderDemoFrame } from './frame.js';

export interface DemoOptions {
  dir: string;
  workers: number;
  exitWhenDone: boolean;
  /** A full-screen view to run instead of the plain-text one; the demo stops when it returns. */
  view?: (s: Spool) => Promise<unknown>;
  /** How this process opens the demo spool (its --set flags); the processes it starts take none. */
  spool: SpoolOptions;
}

export async function runDemo(opts: DemoOptions): Promise<number> {
  // Its terminal may go away (SSH dropped, tmux killed): writes then fail with EIO, and the
  // demo must still stop its sentinel and workers rather than die of the write error.
  process.stdout.on('error', () => undefined);
  // A stop signal while the fleet starts and the batch is submitted is acted on once the demo
  // is up, so that the sentinel and workers are stopped.
  const signals = holdSignals(['SIGINT', 'SIGTERM', 'SIGHUP']);
  const why = (signal: NodeJS.Signals) => (signal === 'SIGINT' ? 'Ctrl-C' : signal);
  const s = createDemoSpool(resolve(opts.dir), opts.spool);
  const env = { ...process.env, SPOOLCTL_SPOOL: s.l.root };
  const children: Child[] = [startRole('sentinel', ['sentinel'], processLogPath(s.l.logs, 'sentinel'), env)];
  for (let i = 1; i <= opts.workers; i += 1)
    children.push(startRole(`worker ${i}`, ['worker'], processLogPath(s.l.logs, `worker-${i}`), env));
  let submitted: number;
  try {
    submitted = await submitDemoBatch(s);
  } catch (err) {
    await stopChildren(children);
    signals.release();
    throw err;
  }

  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  const stop = async (why: string): Promise<number> => {
    if (stopping) return 0;
    stopping = true;
    if (timer) clearInterval(timer);
    process.stdout.write(`\n${why}: stopping the demo's workers and sentinel...\n`);
    const workers = children.filter((c) => c.role !== 'sentinel');
    await stopChildren(workers);
    // Give the sentinel a pass to record what the workers handed back, then stop it.
    await waitFor(() => getStatus(s).counts.claimed === 0, 3000);
    await stopChildren(children.filter((c) => c.role === 'sentinel'));
    process.stdout.write(`stopped. The demo spool is kept at ${s.l.root} (try: ${selfForHints()} --spool ${s.l.root} jobs list)\n`);
    return 0;
  };

  if (opts.view) {
    // The full-screen view has its own handling of signals from here on.
    signals.release();
    const early = signals.held;
    try {
      if (!early) await opts.view(s);
    } finally {
      await stop(early ? why(early) : 'quit');
    }
    return 0;
  }

  const settled = (st: Status) =>
    st.counts.pending === 0 &&
    st.counts.claimed === 0 &&
    st.counts.done + st.counts.failed + st.counts.cancelled + st.counts.rejected >= submitted;
  const tty = process.stdout.isTTY === true;
  let lastLine = 0;
  return new Promise<number>((resolvePromise) => {
    const draw = () => {
      const st = getStatus(s);
      if (tty) {
        const recent = st.ledger ? queryJobs(s, { limit: 8 }) : [];
        process.stdout.write(`\x1b[H\x1b[2J${renderDemoFrame(st, recent, process.stdout.columns ?? 80)}`);
      } else if (Date.now() - lastLine > 2000) {
        lastLine = Date.now();
        process.stdout.write(
          `${Object.entries(st.counts)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}\n`,
        );
      }
      if (opts.exitWhenDone && settled(st)) void stop('all jobs settled').then(resolvePromise);
    };
    timer = setInterval(() => {
      try {
        draw();
      } catch (err) {
        process.stderr.write(`spoolctl demo: ${(err as Error).message}\n`);
      }
    }, 500);
    // Each signal is taken once: a second Ctrl-C while stopping ends the demo at once.
    signals.handle((signal) => {
      signals.release(signal);
      void stop(why(signal)).then(resolvePromise);
    });
  });
}
