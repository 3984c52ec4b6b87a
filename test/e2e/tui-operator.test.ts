// The operator's TUI in a real terminal (tmux, 80x24, a live spool): the highlight stays on
// the chosen job when the list re-sorts under it, the events view opens on the newest line,
// and a pause taken with `p` shows as a banner until `p` resumes.
import { describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { sgrSequences, visible } from '../helpers/ansi.js';
import { makeSpool, manifest, until } from '../helpers/spool.js';
import { keys, onScreen, quitTui, rawScreen, screen, tmux } from '../helpers/tmux.js';

/** The visible text of every screen line drawn inverse. */
const inverseLines = () =>
  rawScreen('tui')
    .split('\n')
    .filter((l) => sgrSequences(l).some(({ params }) => params.includes(7)))
    .map(visible);

/** The text of the highlighted row whose first word is a job id (tab bars start with a space). */
function highlighted(): string | undefined {
  return inverseLines().find((l) => /^[\w-]+ +pending/.test(l));
}

function startTui(dir: string): void {
  const [node, script] = selfCommand() as [string, string];
  tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', `${node} ${script} --spool ${dir} tui; sleep 60`);
}

describe('the operator in tmux', () => {
  it('keeps the highlight on the chosen job through a re-sort and opens the events at the newest line', async () => {
    const t = makeSpool();
    t.sentinel();
    const ids = ['row-1', 'row-2', 'row-3'];
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'noop'));
    await until('admitted', () => ids.every((id) => t.job(id)?.state === 'pending'));
    startTui(t.dir);
    await onScreen('the dashboard', (s) => s.includes('sentinel UP'), 20_000);
    keys('2');
    await onScreen('the pending jobs', (s) => /^1 of 3/m.test(s));
    keys('j');
    const chosen = (await until('the second row highlighted', () => (/^2 of 3/m.test(screen()) ? highlighted() : undefined)))!.split(
      ' ',
    )[0]!;
    t.drop('urgent.json', manifest('urgent', 'noop', { priority: 5 }));
    await onScreen(
      'urgent sorted first, the highlight moved with its job',
      (s) => /^urgent +pending/m.test(s) && /^3 of 4/m.test(s),
      15_000,
    );
    expect(highlighted()?.split(' ')[0]).toBe(chosen);

    keys('4');
    const events = await onScreen('the events view', (s) => s.includes('(newest'));
    const lastEvent = t.events().at(-1)!;
    // The newest event is on screen, highlighted, on the last line of the list.
    const eventLines = events.split('\n').filter((l) => /^\d\d:\d\d:\d\d /.test(l));
    expect(eventLines.at(-1)).toContain(lastEvent.job ?? lastEvent.type);
    expect(inverseLines().some((l) => l.includes('urgent') && l.includes('submitted'))).toBe(true);
    await quitTui();
  });

  it('pauses dispatch with p after a yes, shows who paused, and resumes with p', async () => {
    const t = makeSpool('[worker]\nheartbeat_ms = 200\n');
    t.sentinel();
    t.worker();
    await until('worker up', () => t.status().slots[0].state === 'idle', 20_000);
    startTui(t.dir);
    await onScreen('the dashboard', (s) => s.includes('sentinel UP'), 20_000);
    keys('p');
    await onScreen('the question', (s) => s.includes('Pause dispatch: running jobs go on, nothing new is claimed? [y/N]'));
    keys('y');
    await onScreen('the banner', (s) => /DISPATCH PAUSED by \S+.*: paused from the TUI; p resumes/.test(s), 15_000);
    t.drop('waits.json', manifest('waits', 'noop'));
    await until('admitted while paused', () => t.job('waits')?.state === 'pending', 10_000);
    keys('p');
    await onScreen('the resume question', (s) => /Resume dispatch \(paused by .+\)\? \[y\/N\]/.test(s));
    keys('y');
    await onScreen('the banner gone', (s) => !s.includes('DISPATCH PAUSED'), 15_000);
    await until('dispatched after the resume', () => t.job('waits')?.state === 'done', 20_000);
    await quitTui();
  });
});
