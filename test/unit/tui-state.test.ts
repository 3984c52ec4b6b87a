// The TUI's own state as pure functions: what a key does to the cursor and the jobs tab,
// tested without Ink, the way a reducer is.
import { describe, expect, it } from 'vitest';
import {
  followSelection,
  initialUi,
  JOB_TABS,
  logTop,
  moveCursor,
  scrollLog,
  switchTab,
  typeFilter,
  type UiState,
} from '../../tui/state.js';

const on = (view: UiState['view'], cursor = 0): UiState => ({ ...initialUi, view, cursor: { ...initialUi.cursor, [view]: cursor } });

describe('tui state', () => {
  it('starts on the dashboard, the pending tab, no filter, every cursor at the top', () => {
    expect(initialUi).toEqual({
      view: 'dashboard',
      tab: 'pending',
      filter: '',
      filtering: false,
      sort: 'ledger',
      cursor: { dashboard: 0, jobs: 0, slots: 0, events: 0 },
      eventsFollow: true,
    });
  });

  it('keeps the jobs cursor on the selected job when the list re-sorts, and at its row when the job leaves', () => {
    const ui = { ...on('jobs', 1), selectedJob: 'b' };
    expect(followSelection(ui, ['x', 'a', 'b']).cursor.jobs).toBe(2);
    expect(followSelection(ui, ['a', 'b'])).toBe(ui);
    const left = followSelection(ui, ['a', 'c', 'd']);
    expect(left.cursor.jobs).toBe(1);
    expect(left.selectedJob).toBe('c');
    expect(followSelection({ ...on('jobs', 5), selectedJob: 'gone' }, ['a', 'c']).cursor.jobs).toBe(1);
  });

  it('follows the newest event until moved up, and again from the last row', () => {
    const up = moveCursor(on('events'), -1, 10);
    expect(up).toMatchObject({ eventsFollow: false, cursor: { events: 8 } });
    expect(moveCursor(up, 1, 10).eventsFollow).toBe(true);
    expect(moveCursor(up, 'bottom', 10).eventsFollow).toBe(true);
  });

  it('moves the cursor of the current view only, within the list', () => {
    const ui = moveCursor(on('jobs', 3), 1, 10);
    expect(ui.cursor).toEqual({ dashboard: 0, jobs: 4, slots: 0, events: 0 });
    expect(moveCursor(on('jobs', 3), -1, 10).cursor.jobs).toBe(2);
    expect(moveCursor(on('slots', 1), 1, 4).cursor).toEqual({ dashboard: 0, jobs: 0, slots: 2, events: 0 });
  });

  it('stops at the first and the last row, pages included', () => {
    expect(moveCursor(on('jobs', 0), -1, 10).cursor.jobs).toBe(0);
    expect(moveCursor(on('jobs', 9), 1, 10).cursor.jobs).toBe(9);
    expect(moveCursor(on('jobs', 5), 16, 10).cursor.jobs).toBe(9);
    expect(moveCursor(on('jobs', 5), -16, 10).cursor.jobs).toBe(0);
  });

  it('goes to the top and the bottom', () => {
    expect(moveCursor(on('events', 7), 'top', 40).cursor.events).toBe(0);
    expect(moveCursor(on('events', 7), 'bottom', 40).cursor.events).toBe(39);
  });

  it('keeps the cursor at 0 on an empty list, whatever the move', () => {
    for (const delta of [1, -1, 16, 'top', 'bottom'] as const)
      expect(moveCursor(on('jobs', 0), delta, 0).cursor.jobs, String(delta)).toBe(0);
  });

  it('leaves the state it was given unchanged', () => {
    const ui = on('jobs', 2);
    const copy = structuredClone(ui);
    moveCursor(ui, 1, 10);
    switchTab(ui, 1);
    expect(ui).toEqual(copy);
  });

  it('walks the job tabs in order, wrapping both ways, and puts the jobs cursor back at the top', () => {
    let ui: UiState = on('jobs', 5);
    const seen = JOB_TABS.map(() => {
      ui = switchTab(ui, 1);
      expect(ui.cursor.jobs).toBe(0);
      return ui.tab;
    });
    expect(seen).toEqual([...JOB_TABS.slice(1), JOB_TABS[0]]);
    expect(switchTab(on('jobs'), -1).tab).toBe('all');
    expect(switchTab({ ...on('jobs'), tab: 'all' }, 1).tab).toBe('pending');
  });

  it('keeps the other views cursors and the filter when the tab changes', () => {
    const ui: UiState = { ...initialUi, view: 'jobs', filter: 'abc', cursor: { dashboard: 1, jobs: 4, slots: 2, events: 3 } };
    expect(switchTab(ui, 1)).toEqual({ ...ui, tab: 'claimed', cursor: { dashboard: 1, jobs: 0, slots: 2, events: 3 } });
  });

  it('follows the end of an open log until scrolled, and again once scrolled back to the end or with G', () => {
    const ui: UiState = { ...initialUi, log: { job: 'j' } };
    expect(logTop(undefined, 100, 20)).toBe(80);
    const up = scrollLog(ui, -5, 100, 20);
    expect(up.log).toEqual({ job: 'j', top: 75 });
    expect(logTop(up.log!.top, 100, 20)).toBe(75);
    expect(scrollLog(up, 5, 100, 20).log).toEqual({ job: 'j', top: undefined });
    expect(scrollLog(up, 'top', 100, 20).log).toEqual({ job: 'j', top: 0 });
    expect(scrollLog(scrollLog(up, 'top', 100, 20), 'bottom', 100, 20).log).toEqual({ job: 'j', top: undefined });
    // A log shorter than the screen is always at its end.
    expect(scrollLog(ui, -3, 10, 20).log).toEqual({ job: 'j', top: undefined });
  });

  it('starts the filtered list at its first row, forgetting the job selected before', () => {
    const ui = typeFilter({ ...on('jobs', 4), selectedJob: 'a-high' }, '!high');
    expect([ui.filter, ui.cursor.jobs, ui.selectedJob]).toEqual(['!high', 0, undefined]);
    expect(followSelection(ui, ['c-mid', 'b-low']).selectedJob).toBe('c-mid');
  });
});
