/** How the CLI reports a control request's outcome, shared by `jobs` and `workers`. */
import type { ControlOutcome } from '../../api/control.js';
import { plural } from '../text.js';

export const PAST: Record<string, string> = {
  requeue: 'requeued',
  hold: 'held',
  release: 'released',
  cancel: 'cancelled',
  purge: 'purged',
  drain: 'draining',
  undrain: 'no longer draining',
};

/** Prints the outcome (with `summary`, a count of the jobs changed) and returns the exit code. */
export function reportControl(outcome: ControlOutcome, summary = false): number {
  const [action, items] = outcome.kind === 'applied' ? [outcome.ack.action, outcome.ack.items] : [outcome.action, outcome.applied];
  const past = PAST[action] ?? action;
  let failed = 0;
  for (const item of items) {
    if (item.ok) {
      const moved =
        item.from && item.to && item.from !== item.to
          ? ` (${item.from} -> ${item.to})`
          : item.from === item.to
            ? ` (already ${item.to})`
            : '';
      process.stdout.write(`${item.target}: ${past}${moved}\n`);
    } else {
      failed += 1;
      process.stderr.write(`spoolctl: ${item.target}: not ${past}: ${item.error}\n`);
    }
  }
  if (summary && items.length > 0)
    process.stdout.write(`${plural(items.length - failed, 'job')} ${past}${failed ? `, ${failed} not` : ''}.\n`);
  if (outcome.kind === 'queued') {
    const which =
      outcome.requests > 1 ? `requests ${outcome.requestId} and ${outcome.requests - 1} more are` : `request ${outcome.requestId} is`;
    process.stderr.write(`spoolctl: ${outcome.why}: ${which} queued in control/ and will be applied when the sentinel runs.\n`);
    return outcome.why.startsWith('not waiting') ? 0 : 1;
  }
  return failed > 0 ? 1 : 0;
}
