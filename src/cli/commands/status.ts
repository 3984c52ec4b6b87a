/** spoolctl status [--json] */
import type { Command } from 'commander';
import type { AgeShape, SentinelStatus, StatusReport } from '../../api/status.js';
import { ago, percent, humanTimes, printJson, table, when } from '../output.js';
import { clip, labelled } from '../text.js';
import { spoolArgs, spoolFlags } from '../spool-args.js';
import { spoolOf } from '../spool.js';

const COLUMN = 7;

/** Jobs per state and age, like Postfix's qshape; right-aligned so the columns read as numbers. */
function ageTable(ages: AgeShape): string[] {
  const row = (label: string, cells: (string | number)[]) => `${label.padEnd(9)}${cells.map((c) => String(c).padStart(COLUMN)).join('')}`;
  return [
    row('AGE', [...ages.buckets, 'TOTAL']),
    ...Object.entries(ages.counts).map(([state, n]) => row(state, [...n, n.reduce((a, b) => a + b, 0)])),
  ];
}

/** What the sentinel says of the journal on the share: while it cannot write it, the ledger waits too. */
function journalLine(j: NonNullable<SentinelStatus['journal']>): string {
  if (j.ok && j.behind === 0) return 'up to date on the share';
  if (j.ok) return `${j.behind} event(s) being written`;
  return `BEHIND: ${j.behind} event(s) wait in the sentinel's memory, and the ledger waits with them: ${j.error ?? 'unknown error'}`;
}

/** The human status of one spool, line by line. */
function statusLines(st: StatusReport): string[] {
  const s = st.sentinel;
  const oldest = st.oldest_pending;
  return [
    `spool     ${st.spool}`,
    ...labelled(
      'sentinel  ',
      s.up
        ? `up, pid ${s.pid} on ${s.host}, since ${when(s.started_at)}`
        : 'DOWN: nothing is dispatched; start it with `spoolctl sentinel`',
    ),
    ...s.standby.filter((b) => b.up).flatMap((b) => labelled('standby   ', `pid ${b.pid} on ${b.host}, waiting since ${when(b.since)}`)),
    ...(s.journal ? labelled('journal   ', journalLine(s.journal)) : []),
    ...labelled(
      'jobs      ',
      Object.entries(st.counts).map(([k, v], i, all) => `${k} ${v}${i < all.length - 1 ? ',' : ''}`),
    ),
    ...(st.ages ? ['', ...ageTable(st.ages)] : []),
    ...(oldest || st.waiting.length > 0 ? [''] : []),
    ...(oldest ? [clip(`oldest    ${oldest.id} (${oldest.plugin ?? '-'}), pending for ${ago(oldest.submitted_at)}`)] : []),
    ...st.waiting.flatMap((w, i) => labelled(i === 0 ? 'waiting   ' : '          ', w.message)),
    ...(st.refused.length > 0 ? [''] : []),
    ...st.refused.flatMap((r) =>
      labelled('refused   ', `${r.action} ${r.target} (asked by ${r.by ?? 'someone'}, refused ${when(r.at)}): ${r.error}`),
    ),
    '',
    ...table(
      ['SLOT', 'STATE', 'HOST:PID', 'JOB', 'PROGRESS', 'RUNNING', 'BEAT', 'TAGS'],
      st.slots.map((x) => [
        x.slot,
        x.condition,
        x.host ? clip(`${x.host}:${x.pid}`, 16) : null,
        x.job ? clip(x.job, 16) : null,
        x.job ? clip(`${percent(x.progress)}${x.message ? ` ${x.message}` : ''}`, 12) : null,
        x.job ? ago(x.job_started_at) : null,
        x.beat_age_s === null ? null : `${x.beat_age_s}s`,
        x.tags.length ? clip(x.tags.join(','), 16) : null,
      ]),
    )
      .split('\n')
      .map((line) => clip(line)),
  ];
}

/** A spool of several that could not be read: its place in the output says why. */
interface Unreadable {
  spool: string;
  error: string;
}

export function addStatusCommand(program: Command): void {
  program
    .command('status')
    .description('one-shot status: sentinel, jobs per state and age, why pending jobs wait, slots (of each --spool given)')
    .option('--json', 'print JSON (an array, one element per spool, when several --spool are given)')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { getStatusReport } = await import('../../api/status.js');
      const times = opts.json ? undefined : humanTimes;
      if (spoolFlags(cmd).length <= 1) {
        const st = getStatusReport(await spoolOf(cmd), times);
        if (opts.json) printJson(st);
        else process.stdout.write(`${statusLines(st).join('\n')}\n`);
        return;
      }
      const { openSpools } = await import('../../api/spools.js');
      const reports = openSpools(spoolFlags(cmd), spoolArgs(cmd)[1]).map((c): StatusReport | Unreadable => {
        try {
          if (c.spool) return getStatusReport(c.spool, times);
          return { spool: c.dir, error: c.error };
        } catch (err) {
          return { spool: c.dir, error: (err as Error).message };
        }
      });
      if (reports.some((r) => 'error' in r)) process.exitCode = 1;
      if (opts.json) return printJson(reports);
      const blocks = reports.map((r, i) => [
        clip(`=== spool ${i + 1} of ${reports.length}: ${r.spool} ===`),
        ...('error' in r ? labelled('error     ', r.error) : statusLines(r)),
      ]);
      process.stdout.write(`${blocks.map((b) => b.join('\n')).join('\n\n')}\n`);
    });
}
