/** One line's worth of a spool, for a view of several: the sentinel, the counts, the slots, the rate, what is wrong. */
import type { JobState } from '../spool/layout.js';
import { recentActivity } from './activity.js';
import type { Spool } from './spool.js';
import { getStatus } from './status.js';

export interface SpoolSummary {
  spool: string;
  sentinel_up: boolean;
  counts: Record<JobState, number>;
  slots_busy: number;
  slots_total: number;
  done_per_min: number;
  /** What wants a look (the sentinel down, dispatch paused, the journal behind), most serious first; empty when nothing does. */
  problems: string[];
}

export function spoolSummary(s: Spool): SpoolSummary {
  const st = getStatus(s);
  const { scheduled, ...counts } = st.counts;
  const journal = st.sentinel.journal;
  const paused = st.dispatch.paused;
  const problems = [
    ...(st.sentinel.up ? [] : ['sentinel DOWN']),
    ...(paused ? [`dispatch PAUSED by ${paused.by}${paused.reason ? `: ${paused.reason}` : ''}`] : []),
    ...(journal && (!journal.ok || journal.behind > 0) ? [`journal BEHIND ${journal.behind}`] : []),
  ];
  return {
    spool: st.spool,
    sentinel_up: st.sentinel.up,
    counts,
    slots_busy: st.slots.filter((x) => x.state === 'busy').length,
    slots_total: st.max_workers,
    done_per_min: recentActivity(s, 0).done_per_min,
    problems,
  };
}
