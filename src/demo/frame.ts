/** The demo's plain-text live view (the full-screen TUI is `spoolctl tui`). */
import type { JobSummary } from '../api/jobs.js';
import type { Status } from '../api/status.js';
import { ago, percent, table } from '../cli/output.js';

function bar(p: number | null, width: number): string {
  const filled = Math.round((p ?? 0) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function renderDemoFrame(st: Status, recent: JobSummary[], columns: number): string {
  const s = st.sentinel;
  const lines = [
    `spoolctl demo - ${st.spool}`,
    `sentinel ${s.up ? `up (pid ${s.pid})` : 'DOWN'}   ${Object.entries(st.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join('  ')}`,
    '',
    table(
      ['SLOT', 'STATE', 'JOB', 'PROGRESS'],
      st.slots.map((x) => [x.slot, x.condition, x.job, x.job ? `${bar(x.progress, 20)} ${percent(x.progress)} ${x.message ?? ''}` : null]),
    ),
    '',
    table(
      ['RECENT JOB', 'STATE', 'PLUGIN', 'ATTEMPTS', 'UPDATED', 'LAST ERROR'],
      recent.map((r) => [r.id, r.state, r.plugin, r.attempts, ago(r.updated_at), r.last_error]),
    ),
    '',
    'Ctrl-C stops the demo and everything it started.',
  ];
  return `${lines
    .map((l) =>
      l
        .split('\n')
        .map((x) => x.slice(0, columns))
        .join('\n'),
    )
    .join('\n')}\n`;
}
