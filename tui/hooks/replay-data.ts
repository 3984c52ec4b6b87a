/** What the screen shows in a replay (`spoolctl tui --at`): the api's replay, shaped as a live load is. */
import type { FilesystemInfo } from '../../src/api/filesystem.js';
import type { Replay } from '../../src/api/replay.js';
import { filterQuery } from '../job-order.js';
import type { ReplayPosition } from './useReplayPlayer.js';
import type { Query, SpoolData } from './useSpoolData.js';

/** `limit`: the jobs of the tab at most, as a live load lists them. */
export function loadReplay(replay: Replay, position: ReplayPosition, q: Query, fs: FilesystemInfo, limit: number): SpoolData {
  const view = replay.view({ state: q.tab === 'all' ? undefined : q.tab, ...filterQuery(q.filter), detail: q.detail }, limit);
  return {
    status: view.status,
    events: view.events,
    donePerMin: view.doneHistory.at(-1) ?? 0,
    doneHistory: view.doneHistory,
    jobs: q.wantJobs ? view.jobs : [],
    detail: view.detail,
    fs,
    // Data of the moment shown is never stale: the header ages it by the replay's clock.
    loadedAt: view.at,
    replay: position,
  };
}
