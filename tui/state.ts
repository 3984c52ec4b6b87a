/** The TUI's own state (what is shown and selected), apart from the spool data it shows. */
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
  cursor: Record<ViewName, number>;
  /** The job whose detail is open, if any. */
  detail?: string;
  dialog?: Dialog;
}

export const initialUi: UiState = {
  view: 'dashboard',
  tab: 'pending',
  filter: '',
  filtering: false,
  cursor: { dashboard: 0, jobs: 0, slots: 0, events: 0 },
};

export function moveCursor(ui: UiState, delta: number | 'top' | 'bottom', length: number): UiState {
  const current = ui.cursor[ui.view];
  const next = delta === 'top' ? 0 : delta === 'bottom' ? length - 1 : current + delta;
  return { ...ui, cursor: { ...ui.cursor, [ui.view]: Math.max(0, Math.min(Math.max(0, length - 1), next)) } };
}

export function switchTab(ui: UiState, step: number): UiState {
  const i = JOB_TABS.indexOf(ui.tab);
  const tab = JOB_TABS[(i + step + JOB_TABS.length) % JOB_TABS.length]!;
  return { ...ui, tab, cursor: { ...ui.cursor, jobs: 0 } };
}
