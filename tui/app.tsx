/**
 * The TUI's root: chooses the view, owns the UI state, and is the one key dispatcher. A
 * dialog outranks the filter line, which outranks the key table; every key in a chunk is
 * handled in turn against the state the previous one left.
 */
import { Box, useApp, useInput } from 'ink';
import React, { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Replay } from '../src/api/replay.js';
import type { Spool } from '../src/api/spool.js';
import { ACTION_STATES, type JobAction } from '../src/api/actions.js';
import { Footer } from './components/Footer.js';
import { Header } from './components/Header.js';
import { MIN_SIZE, TooSmall } from './components/TooSmall.js';
import { useActions } from './hooks/useActions.js';
import { useJobLog } from './hooks/useJobLog.js';
import { useNow } from './hooks/useNow.js';
import { useReplayPlayer } from './hooks/useReplayPlayer.js';
import { useSpoolData } from './hooks/useSpoolData.js';
import { useTerminalSize, type Size } from './hooks/useTerminalSize.js';
import { nextSort } from './job-order.js';
import { commandFor, type Command } from './keymap.js';
import { keyNames } from './keypress.js';
import { followSelection, initialUi, moveCursor, scrollLog, switchTab, typeFilter, VIEWS, type UiState } from './state.js';
import { timeText } from './text.js';
import { useTheme } from './theme.js';
import { Dashboard } from './views/Dashboard.js';
import { Events } from './views/Events.js';
import { Help } from './views/Help.js';
import { JobDetail } from './views/JobDetail.js';
import { Jobs } from './views/Jobs.js';
import { Log } from './views/Log.js';
import { Slots } from './views/Slots.js';

export interface AppProps {
  spool: Spool;
  /** Render at this size instead of the terminal's (tests). */
  size?: Size;
  refreshMs?: number;
  /** `spoolctl tui --at`: the spool as the ledger says it was, read-only. */
  replay?: Replay;
  /** Called by esc when there is nothing to close or clear: back to the list of spools. */
  onBack?: () => void;
}

export function App({ spool, size: fixedSize, refreshMs, replay, onBack }: AppProps) {
  const theme = useTheme();
  const { size, repainting } = useTerminalSize(fixedSize);
  const { exit } = useApp();
  const [ui, setUi] = useState<UiState>(initialUi);
  const uiRef = useRef(ui);
  const update = (fn: (u: UiState) => UiState) => {
    uiRef.current = fn(uiRef.current);
    setUi(uiRef.current);
  };
  const { tab, filter, sort, detail } = ui;
  const times = useMemo(() => timeText(theme.utc === true), [theme.utc]);
  const player = useReplayPlayer(replay);
  const data = useSpoolData(spool, { tab, filter, sort, detail, wantJobs: ui.view === 'jobs', times }, refreshMs, replay, player);
  // Ink subscribes the key handler in an effect, so a key can still reach the previous
  // render's handler: handlers read the data through this ref, set as each render commits.
  const log = useJobLog(spool, ui.log?.job);
  const dataRef = useRef(data);
  const logRef = useRef(log);
  useLayoutEffect(() => {
    dataRef.current = data;
    logRef.current = log;
  });
  // A refresh that re-sorts the list (claimed jobs, by progress) must not move the user's choice
  // to another job: `h` asks nothing before it acts on the selected row.
  useLayoutEffect(() => {
    const next = followSelection(
      uiRef.current,
      data.jobs.map((j) => j.id),
    );
    if (next !== uiRef.current) update(() => next);
  }, [data.jobs]);
  const actions = useActions(spool);
  const liveNow = useNow();
  const now = player?.at ?? liveNow;
  const bodyHeight = size.rows - 5;

  /** The events view's cursor is on the newest event while it follows them. */
  const cursorIn = (u: UiState, d: typeof data): number =>
    u.view === 'events' && u.eventsFollow ? Math.max(0, d.events.length - 1) : u.cursor[u.view];
  const listLength = (u: UiState): number => {
    const d = dataRef.current;
    if (u.view === 'jobs') return d.jobs.length;
    if (u.view === 'events') return d.events.length;
    return d.status?.slots.length ?? 0;
  };
  const selectedJob = (u: UiState): { id: string; state: string } | undefined => {
    const d = dataRef.current;
    if (u.log) return { id: u.log.job, state: logRef.current.state ?? '' };
    if (u.detail) return d.detail ? { id: d.detail.id, state: d.detail.state } : undefined;
    if (u.view === 'jobs') return d.jobs[u.cursor.jobs];
    if (u.view === 'events') {
      const e = d.events[cursorIn(u, d)];
      return e?.job ? { id: e.job, state: '' } : undefined;
    }
    const slot = d.status?.slots[u.cursor[u.view]];
    return slot?.job ? { id: slot.job, state: 'claimed' } : undefined;
  };

  const confirm = (question: string, run: () => void) => update((u) => ({ ...u, dialog: { kind: 'confirm', question, run } }));
  const jobAction = (action: JobAction, ask: boolean) => {
    const job = selectedJob(uiRef.current);
    if (!job) return actions.setNotice({ text: 'no job selected', error: true });
    const { from, named = [], already } = ACTION_STATES[action];
    const takes: readonly string[] = [...from, ...named, ...already];
    // Said here rather than asked and then refused by the sentinel.
    if (job.state && !takes.includes(job.state))
      return actions.setNotice({
        text:
          job.state === 'rejected'
            ? `${job.id}: a rejected file, no job to ${action}: fix and resubmit it, or purge`
            : `${job.id} is ${job.state}: ${action} applies to ${takes.join(', ')} jobs`,
        error: true,
      });
    if (ask)
      confirm(`${action[0]!.toUpperCase()}${action.slice(1)} job ${job.id}${job.state ? ` (${job.state})` : ''}?`, () =>
        actions.job(action, job.id),
      );
    else actions.job(action, job.id);
  };

  const run = (cmd: Command) => {
    const u = uiRef.current;
    const len = listLength(u);
    const page = Math.max(1, bodyHeight - 3);
    const move = (delta: number | 'top' | 'bottom') =>
      update((x) => {
        if (x.log) return scrollLog(x, delta, logRef.current.lines.length, bodyHeight - 1);
        const y = moveCursor(x, delta, len);
        return y.view === 'jobs' ? { ...y, selectedJob: dataRef.current.jobs[y.cursor.jobs]?.id } : y;
      });
    switch (cmd) {
      case 'down':
        return move(1);
      case 'up':
        return move(-1);
      case 'top':
        return move('top');
      case 'bottom':
        return move('bottom');
      case 'pageDown':
        return move(page);
      case 'pageUp':
        return move(-page);
      case 'nextView':
        return update((x) => ({ ...x, detail: undefined, log: undefined, view: VIEWS[(VIEWS.indexOf(x.view) + 1) % VIEWS.length]! }));
      case 'dashboard':
      case 'jobs':
      case 'slots':
      case 'events':
        return update((x) => ({ ...x, detail: undefined, log: undefined, view: cmd }));
      case 'prevState':
        return u.view === 'jobs' ? update((x) => switchTab(x, -1)) : undefined;
      case 'nextState':
        return u.view === 'jobs' ? update((x) => switchTab(x, 1)) : undefined;
      case 'sort':
        return u.view === 'jobs' ? update((x) => ({ ...x, sort: nextSort(x.sort) })) : undefined;
      case 'open': {
        const job = selectedJob(u);
        return job ? update((x) => ({ ...x, detail: job.id })) : undefined;
      }
      case 'log': {
        const job = selectedJob(u);
        if (!job) return actions.setNotice({ text: 'select a job, or a busy slot, to see its log', error: true });
        return update((x) => ({ ...x, log: { job: job.id } }));
      }
      case 'back':
        if (onBack && !u.log && !u.detail && !u.filter) return onBack();
        return update((x) => (x.log ? { ...x, log: undefined } : x.detail ? { ...x, detail: undefined } : { ...x, filter: '' }));
      case 'filter':
        return update((x) => ({ ...x, view: 'jobs', detail: undefined, log: undefined, filtering: true }));
      case 'help':
        return update((x) => ({ ...x, dialog: { kind: 'help' } }));
      case 'quit':
        return exit();
      case 'requeue':
        return jobAction('requeue', true);
      case 'cancel':
        return jobAction('cancel', true);
      case 'holdRelease': {
        const job = selectedJob(u);
        if (job?.state === 'held') return jobAction('release', false);
        if (job?.state === 'pending') return jobAction('hold', false);
        return actions.setNotice({ text: 'h holds a pending job or releases a held one', error: true });
      }
      case 'drain': {
        const slot = u.view === 'dashboard' || u.view === 'slots' ? dataRef.current.status?.slots[u.cursor[u.view]] : undefined;
        if (!slot) return actions.setNotice({ text: 'select a slot on the dashboard or the slots view to drain it', error: true });
        if (slot.condition === 'draining')
          return confirm(`Undrain slot ${slot.slot}: its worker goes on taking jobs?`, () => actions.slot('undrain', slot.slot));
        return confirm(`Drain slot ${slot.slot}: its worker finishes its job, then exits?`, () => actions.slot('drain', slot.slot));
      }
      case 'cleanup':
        return actions.cleanup(confirm);
      case 'pause': {
        const paused = dataRef.current.status?.dispatch.paused;
        if (paused) return confirm(`Resume dispatch (paused by ${paused.by})?`, () => actions.dispatch('resume'));
        return confirm('Pause dispatch: running jobs go on, nothing new is claimed?', () => actions.dispatch('pause'));
      }
    }
  };

  const handle = (k: string) => {
    const u = uiRef.current;
    if (u.dialog?.kind === 'confirm') {
      const { run: yes } = u.dialog;
      update((x) => ({ ...x, dialog: undefined }));
      if (k === 'y' || k === 'Y') yes();
      return;
    }
    if (u.dialog?.kind === 'help') return update((x) => ({ ...x, dialog: undefined }));
    if (u.filtering) {
      if (k === 'enter') return update((x) => ({ ...x, filtering: false }));
      if (k === 'escape') return update((x) => ({ ...x, filtering: false, filter: '' }));
      if (k === 'backspace') return update((x) => typeFilter(x, x.filter.slice(0, -1)));
      if (k.length === 1) return update((x) => typeFilter(x, x.filter + k));
      return;
    }
    if (size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows) {
      if (k === 'q' || k === 'ctrl+c') exit();
      return;
    }
    if (player?.key(k)) return;
    const cmd = commandFor(k, theme.readonly);
    if (cmd) run(cmd);
  };

  useInput((input, key) => {
    for (const k of keyNames(input, key)) handle(k);
  });

  if (repainting) return <Box height={Math.max(1, size.rows - 1)} />;
  if (size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows) return <TooSmall size={size} />;

  const cursor = cursorIn(ui, data);
  let body: React.ReactNode;
  if (ui.dialog?.kind === 'help') body = <Help height={bodyHeight} columns={size.columns} />;
  else if (ui.log) body = <Log log={log} top={ui.log.top} height={bodyHeight} columns={size.columns} />;
  else if (ui.detail)
    body = (
      <JobDetail
        job={data.detail?.id === ui.detail ? data.detail : undefined}
        height={bodyHeight}
        columns={size.columns}
        pending={actions.pending[ui.detail]}
      />
    );
  else if (ui.view === 'jobs')
    body = (
      <Jobs
        data={data}
        tab={ui.tab}
        filter={ui.filter}
        filtering={ui.filtering}
        height={bodyHeight}
        columns={size.columns}
        cursor={cursor}
        now={now}
        pending={actions.pending}
      />
    );
  else if (ui.view === 'slots')
    body = <Slots data={data} height={bodyHeight} columns={size.columns} cursor={cursor} pending={actions.pending} />;
  else if (ui.view === 'events') body = <Events data={data} height={bodyHeight} columns={size.columns} cursor={cursor} />;
  else body = <Dashboard data={data} height={bodyHeight} columns={size.columns} cursor={cursor} now={now} pending={actions.pending} />;

  return (
    <Box flexDirection="column" width={size.columns} height={size.rows - 1}>
      <Header data={data} ui={ui} columns={size.columns} now={now} />
      <Box height={bodyHeight} flexDirection="column" overflow="hidden">
        {body}
      </Box>
      <Footer dialog={ui.dialog} notice={actions.notice} refused={data.status?.refused} columns={size.columns} />
    </Box>
  );
}
