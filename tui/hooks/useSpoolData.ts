/**
 * Everything the screen shows, read through src/api. It reloads when the ledger or a slot
 * file changes (a watch on two small directories, never on done/) and once a second, and
 * every read is bounded: status, the ledger tail, the last minutes' completions, at most
 * JOB_LIMIT jobs of the open tab.
 * The sentinel is glanced at four times a second (sentinel.json, and its pid on this host):
 * a sentinel that dies or starts shows at once rather than at the next reload.
 */
import { watch } from 'chokidar';
import { useEffect, useRef, useState } from 'react';
import { recentActivity, type ActivityEvent } from '../../src/api/activity.js';
import { filesystemOf, type FilesystemInfo } from '../../src/api/filesystem.js';
import { queryJobs, showJob, type JobDetail, type JobSummary } from '../../src/api/jobs.js';
import { getStatusReport, sentinelGlance, type StatusReport } from '../../src/api/status.js';
import type { Replay } from '../../src/api/replay.js';
import type { Spool } from '../../src/api/spool.js';
import type { TimeText } from '../../src/api/time-text.js';
import { doneHistory } from '../../src/api/throughput.js';
import { filterQuery, type JobSort } from '../job-order.js';
import type { JobTab } from '../state.js';
import { loadReplay } from './replay-data.js';
import type { ReplayPosition } from './useReplayPlayer.js';

export const JOB_LIMIT = 1000;
const SENTINEL_GLANCE_MS = 250;
/** How far back the dashboard's completion sparkline goes. */
export const HISTORY_MINUTES = 30;

export interface Query {
  tab: JobTab;
  filter: string;
  sort: JobSort;
  detail?: string;
  wantJobs: boolean;
  /** How reasons name times ("retry at 14:02:11"): the zone the header names. */
  times: TimeText;
}

export interface SpoolData {
  /** With the ages of jobs, for the dashboard's chart of pending jobs by age. */
  status?: StatusReport;
  events: ActivityEvent[];
  donePerMin: number;
  /** Jobs done in each of the last HISTORY_MINUTES minutes, oldest first. */
  doneHistory: number[];
  jobs: JobSummary[];
  detail?: JobDetail;
  fs: FilesystemInfo;
  loadedAt: number;
  error?: string;
  /** In a replay (`tui --at`): the moment shown, and how it plays. */
  replay?: ReplayPosition;
}

function load(s: Spool, q: Query, fs: FilesystemInfo, previous?: SpoolData): SpoolData {
  try {
    const status = getStatusReport(s, q.times);
    const activity = recentActivity(s, 40);
    let jobs: JobSummary[] = [];
    let error: string | undefined;
    if (q.wantJobs && status.ledger) {
      jobs = queryJobs(
        s,
        {
          state: q.tab === 'all' ? undefined : q.tab,
          ...filterQuery(q.filter),
          ...(q.sort === 'ledger' ? {} : { sort: q.sort }),
          limit: JOB_LIMIT,
        },
        q.times,
      );
    }
    let detail: JobDetail | undefined;
    if (q.detail) {
      try {
        detail = showJob(s, q.detail, 2000, q.times);
      } catch (err) {
        error = (err as Error).message;
      }
    }
    if (!status.ledger) error = 'no ledger yet: start the sentinel (spoolctl sentinel)';
    return {
      status,
      events: activity.events,
      donePerMin: activity.done_per_min,
      doneHistory: doneHistory(s, HISTORY_MINUTES),
      jobs,
      detail,
      fs,
      loadedAt: Date.now(),
      error,
    };
  } catch (err) {
    return { ...(previous ?? { events: [], donePerMin: 0, doneHistory: [], jobs: [], fs, loadedAt: 0 }), error: (err as Error).message };
  }
}

/** With `replay`, the moment its player shows, read from the ledger only when the player or the query moves. */
export function useSpoolData(s: Spool, q: Query, refreshMs = 1000, replay?: Replay, player?: ReplayPosition): SpoolData {
  const [fs] = useState(() => filesystemOf(s.l.root));
  const [data, setData] = useState<SpoolData>(() => (replay && player ? loadReplay(replay, player, q, fs, JOB_LIMIT) : load(s, q, fs)));
  // The watcher and the timers outlive a render: they read the latest query and data through
  // these refs, which the effects below write (never a render).
  const query = useRef(q);
  const latest = useRef(data);

  useEffect(() => {
    if (replay) return;
    let timer: NodeJS.Timeout | undefined;
    const reload = () => {
      latest.current = load(s, query.current, fs, latest.current);
      setData(latest.current);
    };
    const soon = () => {
      if (!timer)
        timer = setTimeout(() => {
          timer = undefined;
          reload();
        }, 100);
    };
    const watcher = watch([s.l.ledgerDir, s.l.slots], { ignoreInitial: true, depth: 0 });
    watcher.on('all', soon);
    watcher.on('error', () => undefined);
    const interval = setInterval(reload, refreshMs);
    const glance = setInterval(() => {
      let seen: ReturnType<typeof sentinelGlance>;
      try {
        seen = sentinelGlance(s);
      } catch {
        return;
      }
      const shown = latest.current.status?.sentinel;
      if (!shown) return;
      const changed =
        seen.host !== shown.host ||
        seen.pid !== shown.pid ||
        seen.started_at !== shown.started_at ||
        (seen.up !== null && seen.up !== shown.up);
      if (changed) reload();
    }, SENTINEL_GLANCE_MS);
    return () => {
      clearInterval(interval);
      clearInterval(glance);
      if (timer) clearTimeout(timer);
      void watcher.close();
    };
  }, [s, fs, refreshMs, replay]);

  // A new query (tab, filter, sort, detail) is answered at once rather than at the next tick.
  const { tab, filter, sort, detail, wantJobs, times } = q;
  const { at = 0, seq = 0, playing = false, speed = 1 } = player ?? {};
  useEffect(() => {
    query.current = { tab, filter, sort, detail, wantJobs, times };
    latest.current = replay
      ? loadReplay(replay, { at, seq, playing, speed }, query.current, fs, JOB_LIMIT)
      : load(s, query.current, fs, latest.current);
    setData(latest.current);
  }, [s, fs, tab, filter, sort, detail, wantJobs, times, replay, at, seq, playing, speed]);

  return data;
}
