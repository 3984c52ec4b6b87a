/**
 * The TUI's root: chooses the view, owns the UI state, and is the one key dispatcher. A
 * dialog outranks the filter line, which outranks the key table; every key in a chunk is
 * handled in turn against the state the previous one left.
 */
import { Box, useApp, useInput } from 'ink';
import React, { useLayoutEffect, useRef, useState } from 'react';
import type { Spool } from '../src/api/spool.js';
import type { JobAction } from '../src/api/actions.js';
import { Footer } from './components/Footer.js';
import { Header } from './components/Header.js';
import { MIN_SIZE, TooSmall } from './components/TooSmall.js';
import { useActions } from './hooks/useActions.js';
import { useNow } from './hooks/useNow.js';
import { useSpoolData } from './hooks/useSpoolData.js';
import { useTerminalSize, type Size } from './hooks/useTerminalSize.js';
import { commandFor, type Command } from './keymap.js';
import { keyNames } from './keypress.js';
import { initialUi, moveCursor, switchTab, VIEWS, type UiState } from './state.js';
import { useTheme } from './theme.js';
import { Dashboard } from './views/Dashboard.js';
import { Events } from './views/Events.js';
import { Help } from './views/Help.js';
import { JobDetail } from './views/JobDetail.js';
import { Jobs } from './views/Jobs.js';
import { Slots } from './views/Slots.js';

export interface AppProps {
  spool: Spool;
  /** Render at this size instead of the terminal's (tests). */
  size?: Size;
  refreshMs?: number;
}

export function App({ spool, size: fixedSize, refreshMs }: AppProps) {
  const theme = useTheme();
  const { size, repainting } = useTerminalSize(fixedSize);
  const { exit } = useApp();
  const [ui, setUi] = useState<UiState>(initialUi);
  const uiRef = useRef(ui);
  const update = (fn: (u: UiState) => UiState) => {
    uiRef.current = fn(uiRef.current);
    setUi(uiRef.current);
  };
  const data = useSpoolData(spool, { tab: ui.tab, filter: ui.filter, detail: ui.detail, wantJobs: ui.view === 'jobs' }, refreshMs);
  // Ink subscribes the key handler in an effect, so a key can still reach the previous
  // render's handler: handlers read the data through this ref, set as each render commits.
  const dataRef = useRef(data);
  useLayoutEffect(() => {
    dataRef.current = data;
  });
  const actions = useActions(spool);
  const now = useNow();
  const bodyHeight = size.rows - 5;

  const listLength = (u: UiState): number => {
    const d = dataRef.current;
    if (u.view === 'jobs') return d.jobs.length;
    if (u.view === 'events') return d.events.length;
    return d.status?.slots.length ?? 0;
  };
  const selectedJob = (u: UiState): { id: string; state: string } | undefined => {
    const d = dataRef.current;
    if (u.detail) return d.detail ? { id: d.detail.id, state: d.detail.state } : undefined;
    if (u.view === 'jobs') return d.jobs[u.cursor.jobs];
    if (u.view === 'events') {
      const e = d.events[u.cursor.events];
      return e?.job ? { id: e.job, state: '' } : undefined;
    }
    const slot = d.status?.slots[u.cursor[u.view]];
    return slot?.job ? { id: slot.job, state: 'claimed' } : undefined;
  };

  const confirm = (question: string, run: () => void) => update((u) => ({ ...u, dialog: { kind: 'confirm', question, run } }));
  const jobAction = (action: JobAction, ask: boolean) => {
    const job = selectedJob(uiRef.current);
    if (!job) return actions.setNotice({ text: 'no job selected', error: true });
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
    switch (cmd) {
      case 'down':
        return update((x) => moveCursor(x, 1, len));
      case 'up':
        return update((x) => moveCursor(x, -1, len));
      case 'top':
        return update((x) => moveCursor(x, 'top', len));
      case 'bottom':
        return update((x) => moveCursor(x, 'bottom', len));
      case 'pageDown':
        return update((x) => moveCursor(x, page, len));
      case 'pageUp':
        return update((x) => moveCursor(x, -page, len));
      case 'nextView':
        return update((x) => ({ ...x, detail: undefined, view: VIEWS[(VIEWS.indexOf(x.view) + 1) % VIEWS.length]! }));
      case 'dashboard':
      case 'jobs':
      case 'slots':
      case 'events':
        return update((x) => ({ ...x, detail: undefined, view: cmd }));
      case 'prevState':
        return u.view === 'jobs' ? update((x) => switchTab(x, -1)) : undefined;
      case 'nextState':
        return u.view === 'jobs' ? update((x) => switchTab(x, 1)) : undefined;
      case 'open': {
        const job = selectedJob(u);
        return job ? update((x) => ({ ...x, detail: job.id })) : undefined;
      }
      case 'back':
        return update((x) => (x.detail ? { ...x, detail: undefined } : { ...x, filter: '' }));
      case 'filter':
        return update((x) => ({ ...x, view: 'jobs', detail: undefined, filtering: true }));
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
        return confirm(`Drain slot ${slot.slot}: its worker finishes its job, then exits?`, () => actions.drain(slot.slot));
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
      if (k === 'backspace') return update((x) => ({ ...x, filter: x.filter.slice(0, -1), cursor: { ...x.cursor, jobs: 0 } }));
      if (k.length === 1) return update((x) => ({ ...x, filter: x.filter + k, cursor: { ...x.cursor, jobs: 0 } }));
      return;
    }
    if (size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows) {
      if (k === 'q' || k === 'ctrl+c') exit();
      return;
    }
    const cmd = commandFor(k, theme.readonly);
    if (cmd) run(cmd);
  };

  useInput((input, key) => {
    for (const k of keyNames(input, key)) handle(k);
  });

  if (repainting) return <Box height={Math.max(1, size.rows - 1)} />;
  if (size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows) return <TooSmall size={size} />;

  const cursor = ui.cursor[ui.view];
  let body: React.ReactNode;
  if (ui.dialog?.kind === 'help') body = <Help height={bodyHeight} columns={size.columns} />;
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
      <Header data={data} view={ui.view} columns={size.columns} now={now} />
      <Box height={bodyHeight} flexDirection="column" overflow="hidden">
        {body}
      </Box>
      <Footer dialog={ui.dialog} notice={actions.notice} columns={size.columns} />
    </Box>
  );
}
