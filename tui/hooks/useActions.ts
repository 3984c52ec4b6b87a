/**
 * Control requests from the TUI, through src/api like the CLI's. A request stays marked as
 * pending on its row until the sentinel acknowledges it; the outcome or the error is shown.
 */
import { useCallback, useEffect, useState } from 'react';
import { requestDispatchAction, requestJobAction, requestSlotAction, type ControlOutcome } from '../../src/api/control.js';
import type { Spool } from '../../src/api/spool.js';
import type { JobAction, SlotAction } from '../../src/api/actions.js';
import { applyCleanup, planCleanup, planIsEmpty } from '../../src/api/workers.js';

/** A notice stays this long, then the footer shows the key hints again. */
export const NOTICE_MS = 10_000;

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

  useEffect(() => {
    if (!notice || Object.keys(pending).length > 0) return;
    const fade = setTimeout(() => setNotice((n) => (n === notice ? undefined : n)), NOTICE_MS);
    return () => clearTimeout(fade);
  }, [notice, pending]);

  const job = useCallback((action: JobAction, id: string) => track(id, action, () => requestJobAction(s, action, [id])), [track, s]);
  const slot = useCallback(
    (action: SlotAction, n: number) => track(`slot-${n}`, action, () => requestSlotAction(s, action, n)),
    [track, s],
  );
  const dispatch = useCallback(
    (action: 'pause' | 'resume') =>
      track('dispatch', action, () => requestDispatchAction(s, action, action === 'pause' ? 'paused from the TUI' : undefined)),
    [track, s],
  );
  /** `workers cleanup` after a yes: the plan is asked about, carried out only as it still stands. */
  const cleanup = useCallback(
    (confirm: (question: string, run: () => void) => void) => {
      let plan;
      try {
        plan = planCleanup(s);
      } catch (err) {
        return setNotice({ text: `clean up: ${(err as Error).message}`, error: true });
      }
      if (planIsEmpty(plan))
        return setNotice({ text: 'no dead or stale slots, abandoned locks or orphaned workers to clean up', error: false });
      const what = [
        plan.lost.length ? `free ${plan.lost.map((x) => `slot ${x.slot} (${x.condition})`).join(', ')}` : '',
        plan.abandonedLocks.length ? `remove ${plan.abandonedLocks.length} abandoned lock(s)` : '',
        plan.orphans.length ? `stop ${plan.orphans.length} orphaned worker(s)` : '',
      ].filter(Boolean);
      confirm(`Clean up: ${what.join('; ')}?`, () => {
        setNotice({ text: 'cleaning up...', error: false });
        applyCleanup(s, plan)
          .then((r) =>
            setNotice({
              text: `cleaned up: freed ${r.freed.length ? r.freed.map((n) => `slot ${n}`).join(', ') : 'no slot'}${r.changed.length ? `; left alone (changed): ${r.changed.join(', ')}` : ''}`,
              error: false,
            }),
          )
          .catch((err: Error) => setNotice({ text: `clean up: ${err.message}`, error: true }));
      });
    },
    [s],
  );
  return { pending, notice, setNotice, job, slot, dispatch, cleanup };
}
