/** spoolctl pause [--reason TEXT] | resume: dispatch as a whole, through the sentinel. */
import type { Command } from 'commander';
import type { ControlOutcome, PauseInfo } from '../../api/control.js';
import { printJson, when } from '../output.js';
import { reportControl } from './control-output.js';
import { spoolOf } from '../spool.js';

/** What `pause --json` and `resume --json` print. */
interface DispatchReport {
  action: 'pause' | 'resume';
  /** applied: the sentinel acknowledged; queued: the request waits in control/. */
  outcome: 'applied' | 'queued';
  from: string | null;
  to: string | null;
  changed: boolean;
  /** paused.json after the request: who paused, when and why (a resume: who had paused). */
  paused: PauseInfo | null;
  request_id: string | null;
  why: string | null;
}

function reportOf(action: 'pause' | 'resume', outcome: ControlOutcome, paused: PauseInfo | undefined): DispatchReport {
  const item = outcome.kind === 'applied' ? outcome.ack.items[0] : undefined;
  return {
    action,
    outcome: outcome.kind,
    from: item?.from ?? null,
    to: item?.to ?? null,
    changed: !!item && item.from !== item.to,
    paused: paused ?? null,
    request_id: outcome.kind === 'queued' ? outcome.requestId : null,
    why: outcome.kind === 'queued' ? outcome.why : null,
  };
}

function pausedBy(p: PauseInfo): string {
  return `by ${p.by}${p.at ? ` at ${when(p.at)}` : ''}${p.reason ? `, reason: ${p.reason}` : ''}`;
}

function sentence(r: DispatchReport): string {
  const who = r.paused ? ` (${pausedBy(r.paused)})` : '';
  if (r.action === 'pause')
    return r.changed
      ? `Dispatch paused: dispatching -> paused${who}. Running jobs go on; nothing new is claimed until \`spoolctl resume\`.`
      : `Dispatch was already paused${who}; nothing changed.`;
  return r.changed ? `Dispatch resumed: paused -> dispatching; it had been paused${who}.` : 'Dispatch was not paused; nothing changed.';
}

export function addDispatchCommands(program: Command): void {
  for (const action of ['pause', 'resume'] as const) {
    const cmd = program
      .command(action)
      .description(
        action === 'pause'
          ? 'stop dispatching: running jobs go on, nothing new is claimed until resume (survives a sentinel restart)'
          : 'dispatch again after a pause',
      );
    if (action === 'pause') cmd.option('--reason <text>', 'why, shown by status and recorded in the ledger');
    cmd
      .option('--no-wait', 'queue the request and return at once')
      .option('--json', 'print JSON')
      .action(async (opts: { reason?: string; wait: boolean; json?: boolean }, c: Command) => {
        const { pauseInfo, requestDispatchAction } = await import('../../api/control.js');
        const s = await spoolOf(c);
        // A resume removes paused.json: who had paused is read before, to be told after.
        const before = pauseInfo(s);
        const outcome = await requestDispatchAction(s, action, opts.reason, { wait: opts.wait });
        const r = reportOf(action, outcome, action === 'pause' ? pauseInfo(s) : before);
        if (opts.json) printJson(r);
        else if (outcome.kind === 'applied') process.stdout.write(`${sentence(r)}\n`);
        // A queued request has no items: reportControl writes only its warning, to stderr.
        if (outcome.kind === 'queued') process.exitCode = reportControl(outcome);
      });
  }
}
