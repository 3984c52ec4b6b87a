/** How the CLI reports a control request's outcome, shared by `jobs` and `workers`. */
import type { ControlOutcome } from '../../api/control.js';

const PAST: Record<string, string> = { requeue: 'requeued', hold: 'held', release: 'released', cancel: 'cancelled', drain: 'draining', undrain: 'no longer draining' };

/** Prints the outcome and returns the exit code. */
export function reportControl(outcome: ControlOutcome): number {
  if (outcome.kind === 'queued') {
    process.stderr.write(`spoolctl: ${outcome.why}: request ${outcome.requestId} is queued in control/ and will be applied when the sentinel runs.\n`);
    return outcome.why.startsWith('not waiting') ? 0 : 1;
  }
  let failed = 0;
  for (const item of outcome.ack.items) {
    if (item.ok) {
      const moved = item.from && item.to && item.from !== item.to ? ` (${item.from} -> ${item.to})` : item.from === item.to ? ` (already ${item.to})` : '';
      process.stdout.write(`${item.target}: ${PAST[outcome.ack.action] ?? outcome.ack.action}${moved}\n`);
    } else {
      failed += 1;
      process.stderr.write(`spoolctl: ${item.target}: not ${PAST[outcome.ack.action] ?? outcome.ack.action}: ${item.error}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
