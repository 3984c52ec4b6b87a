/**
 * A job's attempts as `jobs show` tells them, read from its ledger events: each `claimed`
 * opens one, the first of done, failed, retried, reclaimed, handed_back or cancelled closes it.
 */

/** One ledger event of a job, its detail spread in (the shape of `jobs show --json`'s events). */
export interface JobEvent {
  seq: number;
  type: string;
  at: string;
  slot: number | null;
  attempt: number | null;
  actor: string | null;
  [key: string]: unknown;
}

export interface Attempt {
  attempt: number | null;
  slot: number | null;
  host: string | null;
  pid: number | null;
  started_at: string;
  /** null while it runs. */
  ended_at: string | null;
  /** Until it ended, or until now while it runs. */
  duration_s: number;
  /** running, or the event that closed it: done, failed, retried, reclaimed, handed_back, cancelled. */
  outcome: string;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  /** The last line the plugin printed before it failed (the worker's log tail), beside the error. */
  last_output: string | null;
}

const ENDS = ['done', 'failed', 'retried', 'reclaimed', 'handed_back', 'cancelled'];

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function lastLine(tail: unknown): string | null {
  const lines = (text(tail) ?? '').split('\n').filter((l) => l.trim() !== '');
  return lines.at(-1)?.trim() ?? null;
}

export function attemptsOf(events: readonly JobEvent[], now = Date.now()): Attempt[] {
  const out: Attempt[] = [];
  let open: Attempt | undefined;
  for (const e of events) {
    if (e.type === 'claimed') {
      open = {
        attempt: e.attempt,
        slot: e.slot,
        host: text(e.host),
        pid: typeof e.pid === 'number' ? e.pid : null,
        started_at: e.at,
        ended_at: null,
        duration_s: Math.max(0, (now - Date.parse(e.at)) / 1000),
        outcome: 'running',
        exit_code: null,
        signal: null,
        error: null,
        last_output: null,
      };
      out.push(open);
    } else if (open && ENDS.includes(e.type)) {
      open.ended_at = e.at;
      open.duration_s = Math.max(0, (Date.parse(e.at) - Date.parse(open.started_at)) / 1000);
      open.outcome = e.type;
      open.exit_code = typeof e.exit_code === 'number' ? e.exit_code : null;
      open.signal = text(e.signal);
      open.error = text(e.error) ?? text(e.reason) ?? (e.type === 'cancelled' ? `cancelled by ${e.actor ?? 'someone'}` : null);
      open.last_output = e.type === 'done' ? null : lastLine(e.log_tail);
      open = undefined;
    }
  }
  return out;
}

/** An attempt's error with the plugin's last line beside it: "exited with code 4: ERROR: cannot open missing.tiff". */
export function errorWithOutput(a: Pick<Attempt, 'error' | 'last_output'>): string | null {
  if (!a.error) return a.last_output;
  return a.last_output ? `${a.error}: ${a.last_output}` : a.error;
}
