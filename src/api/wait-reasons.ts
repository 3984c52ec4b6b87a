/** Why pending and held jobs are not running, in the words `status` prints: the sentinel, the pause, the scheduling rules, the slots. */
import type { SlotStatus } from './slots.js';
import type { Status } from './status.js';
import { UTC_TEXT, type TimeText } from './time-text.js';

export type WaitReasonCode =
  'sentinel_down' | 'paused' | 'scheduling' | 'no_live_worker' | 'slots_draining' | 'slots_busy' | 'dispatching' | 'held';

export interface WaitReason {
  reason: WaitReasonCode;
  message: string;
}

function slotList(slots: SlotStatus[]): string {
  return `slot${slots.length === 1 ? '' : 's'} ${slots.map((x) => x.slot).join(', ')}`;
}

/** Why jobs wait, from the sentinel, the pause, the scheduling rules, the slots and the counts. */
export function waitReasons(st: Status, text: TimeText = UTC_TEXT): WaitReason[] {
  const out: WaitReason[] = [];
  const p = st.dispatch.paused;
  if (p)
    out.push({
      reason: 'paused',
      message: `dispatch is PAUSED by ${p.by}${p.at ? ` since ${text.date(p.at)}` : ''}${p.reason ? `: ${p.reason}` : ''}; running jobs go on, nothing new is claimed (\`spoolctl resume\`)`,
    });
  for (const w of st.dispatch.waiting) out.push({ reason: 'scheduling', message: w.reason });
  const held = st.dispatch.waiting.reduce((n, w) => n + w.jobs, 0);
  const draining = st.slots.filter((x) => x.condition === 'draining');
  const taking = st.slots.filter((x) => x.condition === 'idle' || x.condition === 'busy');
  const live = taking.length + draining.length;
  if (st.counts.pending > 0) {
    if (!st.sentinel.up)
      out.push({ reason: 'sentinel_down', message: 'the sentinel is down, so nothing is dispatched: start it with `spoolctl sentinel`' });
    if (live === 0) {
      const lost = st.slots.filter((x) => x.condition === 'stale' || x.condition === 'dead');
      out.push({
        reason: 'no_live_worker',
        message: `no worker is running${lost.length ? ` (${slotList(lost)}: worker lost)` : ''}: start one with \`spoolctl worker\` or \`spoolctl start-services\``,
      });
    }
    if (draining.length > 0) {
      const one = draining.length === 1;
      out.push({
        reason: 'slots_draining',
        message: `${slotList(draining)} ${one ? 'is' : 'are'} draining and ${one ? 'takes' : 'take'} no new jobs (\`spoolctl workers undrain SLOT\` cancels that)`,
      });
    }
    const idle = taking.filter((x) => x.condition === 'idle');
    if (taking.length > 0 && idle.length === 0) {
      const room = st.max_workers - live;
      out.push({
        reason: 'slots_busy',
        message: `${taking.length === 1 ? 'the only slot taking jobs is' : `all ${taking.length} slots taking jobs are`} busy${room > 0 ? `; ${room} more worker${room === 1 ? '' : 's'} could run (max_workers ${st.max_workers})` : ''}`,
      });
    } else if (idle.length > 0 && st.sentinel.up && !p && held < st.counts.pending) {
      out.push({
        reason: 'dispatching',
        message: `${slotList(idle)} ${idle.length === 1 ? 'is' : 'are'} idle: the sentinel hands out jobs on its next scan`,
      });
    }
  }
  if (st.counts.held > 0) {
    out.push({
      reason: 'held',
      message: `${st.counts.held} job${st.counts.held === 1 ? ' is' : 's are'} held until released (\`spoolctl jobs release --state held\`)`,
    });
  }
  return out;
}
