/**
 * Control requests from the TUI, through src/api like the CLI's. A request stays marked as
 * pending on its row until the sentinel acknowledges it; the outcome or the error is shown.
 */
import { useCallback, useState } from 'react';
import { requestJobAction, requestSlotAction, type ControlOutcome } from '../../src/api/control.js';
import type { Spool } from '../../src/api/spool.js';
import type { JobAction } from '../../src/api/actions.js';

export interface Notice {
  text: string;
  error: boolean;
}

function describe(outcome: ControlOutcome): Notice {
  if (outcome.kind === 'queued') return { text: `${outcome.why}: request queued, applied when the sentinel runs`, error: true };
  const bad = outcome.ack.items.filter((i) => !i.ok);
  if (bad.length) return { text: bad.map((i) => `${i.target}: ${i.error}`).join('; '), error: true };
  return { text: outcome.ack.items.map((i) => `${i.target}: ${outcome.ack.action} done (${i.from} -> ${i.to})`).join('; '), error: false };
}

export function useActions(s: Spool) {
  const [pending, setPending] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice | undefined>();

  const track = useCallback((target: string, label: string, request: () => Promise<ControlOutcome>) => {
    setPending((p) => ({ ...p, [target]: label }));
    setNotice({ text: `${label} ${target}: waiting for the sentinel...`, error: false });
    request()
      .then((outcome) => setNotice(describe(outcome)))
      .catch((err: Error) => setNotice({ text: `${label} ${target}: ${err.message}`, error: true }))
      .finally(() =>
        setPending((p) => {
          const { [target]: _, ...rest } = p;
          return rest;
        }),
      );
  }, []);

  const job = useCallback((action: JobAction, id: string) => track(id, action, () => requestJobAction(s, action, [id])), [track, s]);
  const drain = useCallback((slot: number) => track(`slot-${slot}`, 'drain', () => requestSlotAction(s, 'drain', slot)), [track, s]);
  return { pending, notice, setNotice, job, drain };
}
