/** The TUI's own state (what is shown and selected), apart from the spool data it shows. */
import type { JobSort } from './job-order.js';

export type ViewName = 'dashboard' | 'jobs' | 'slots' | 'events';
export const VIEWS: ViewName[] = ['dashboard', 'jobs', 'slots', 'events'];

export const JOB_TABS = ['pending', 'claimed', 'failed', 'held', 'done', 'cancelled', 'rejected', 'all'] as const;
export type JobTab = (typeof JOB_TABS)[number];

export type Dialog = { kind: 'confirm'; question: string; run: () => void } | { kind: 'help' };

export interface UiState {
  view: ViewName;
  tab: JobTab;
  filter: string;
  filtering: boolean;
  sort: JobSort;
  cursor: Record<ViewName, number>;
  /**
   * The job the jobs view's cursor is on: the cursor follows it when a refresh re-sorts the
   * list, and stays at its row when the job leaves the list.
   */
  selectedJob?: string;
  /** The events view follows the newest event until the user scrolls up. */
  eventsFollow: boolean;
  /** The job whose detail is open, if any. */
  detail?: string;
  /** The job whose log is open, and the first line shown (none: it follows the end). */
  log?: { job: string; top?: number };
  dialog?: Dialog;
}

export const initialUi: UiState = {
  view: 'dashboard',
  tab: 'pending',
  filter: '',
  filtering: false,
  sort: 'ledger',
  cursor: { dashboard: 0, jobs: 0, slots: 0, events: 0 },
  eventsFollow: true,
};

/** Where the jobs view's cursor goes when the list is refreshed: to the selected job, or kept (clamped). */
export function followSelection(ui: UiState, ids: string[]): UiState {
  const at = ui.selectedJob === undefined ? -1 : ids.indexOf(ui.selectedJob);
  if (at >= 0) return at === ui.cursor.jobs ? ui : { ...ui, cursor: { ...ui.cursor, jobs: at } };
  const kept = Math.min(ui.cursor.jobs, Math.max(0, ids.length - 1));
  return { ...ui, selectedJob: ids[kept], cursor: { ...ui.cursor, jobs: kept } };
}

export function moveCursor(ui: UiState, delta: number | 'top' | 'bottom', length: number): UiState {
  const current = ui.view === 'events' && ui.eventsFollow ? length - 1 : ui.cursor[ui.view];
  const next = delta === 'top' ? 0 : delta === 'bottom' ? length - 1 : current + delta;
  const cursor = Math.max(0, Math.min(Math.max(0, length - 1), next));
  const moved = { ...ui, cursor: { ...ui.cursor, [ui.view]: cursor } };
  return ui.view === 'events' ? { ...moved, eventsFollow: cursor >= length - 1 } : moved;
}

/**
 * The filter as typed so far: the list starts again at its first row, whichever job was
 * selected before (a refresh between two keys must not bring the cursor back to it).
 */
export function typeFilter(ui: UiState, filter: string): UiState {
  return { ...ui, filter, selectedJob: undefined, cursor: { ...ui.cursor, jobs: 0 } };
}

export function switchTab(ui: UiState, step: number): UiState {
  const i = JOB_TABS.indexOf(ui.tab);
  const tab = JOB_TABS[(i + step + JOB_TABS.length) % JOB_TABS.length]!;
  return { ...ui, tab, cursor: { ...ui.cursor, jobs: 0 } };
}

/** The first log line shown in `rows` rows: the end while following, else `top` kept in range. */
export function logTop(top: number | undefined, length: number, rows: number): number {
  const last = Math.max(0, length - rows);
  return top === undefined ? last : Math.max(0, Math.min(last, top));
}

/** Scrolls the open log; reaching its end (or G) follows it again, like the events view. */
export function scrollLog(ui: UiState, delta: number | 'top' | 'bottom', length: number, rows: number): UiState {
  if (!ui.log) return ui;
  const current = logTop(ui.log.top, length, rows);
  const next = Math.max(0, delta === 'top' ? 0 : delta === 'bottom' ? length : current + delta);
  const top = next >= Math.max(0, length - rows) ? undefined : next;
  return { ...ui, log: { job: ui.log.job, top } };
}
