/** `jobs show` for people: what the job is, each of its attempts, the ledger's events and the log's end. */
import { errorWithOutput } from '../../api/attempts.js';
import type { JobDetail } from '../../api/jobs.js';
import { duration, percent, table, when } from '../output.js';

function params(p: Record<string, unknown> | null): string {
  return p
    ? Object.entries(p)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ') || '-'
    : '-';
}

/** A finished job shows no progress line: its last message told how it was going. */
export function story(j: JobDetail): string[] {
  const last = j.attempt_history.at(-1);
  const error = last && j.state !== 'done' ? errorWithOutput(last) : null;
  return [
    `id        ${j.id}`,
    `state     ${j.state}${j.slot ? ` (slot ${j.slot})` : ''}`,
    `plugin    ${j.plugin ?? '-'}`,
    `input     ${j.input ?? '-'}`,
    `params    ${params(j.params)}`,
    `priority  ${j.priority}`,
    `attempts  ${j.attempts}${j.max_attempts ? ` of ${j.max_attempts}` : ''}`,
    ...(j.state === 'claimed' ? [`progress  ${percent(j.progress)}${j.message ? ` ${j.message}` : ''}`] : []),
    `submitted ${when(j.submitted_at)}`,
    ...(j.finished_at ? [`finished  ${when(j.finished_at)}`] : []),
    `file      ${j.file ?? '-'}`,
    ...(j.last_error
      ? [`error     ${j.last_error}${error && error !== j.last_error && last?.last_output ? `: ${last.last_output}` : ''}`]
      : []),
    ...(j.waiting ? [`waiting   ${j.waiting}`] : []),
    ...(j.after.length ? [`after     ${j.after.map((d) => `${d.id} (${d.state ?? 'not in the ledger'})`).join(', ')}`] : []),
    ...(j.before.length ? [`before    ${j.before.map((d) => `${d.id} (${d.state})`).join(', ')}`] : []),
    ...(j.attempt_history.length
      ? [
          '',
          table(
            ['ATTEMPT', 'SLOT', 'HOST:PID', 'STARTED', 'ENDED', 'DURATION', 'OUTCOME', 'EXIT', 'ERROR'],
            j.attempt_history.map((a) => [
              a.attempt,
              a.slot,
              a.host ? `${a.host}:${a.pid}` : null,
              when(a.started_at),
              a.ended_at ? when(a.ended_at) : 'running',
              duration(a.duration_s),
              a.outcome,
              a.signal ?? a.exit_code,
              errorWithOutput(a),
            ]),
          ),
        ]
      : []),
    '',
    table(
      ['SEQ', 'AT', 'EVENT', 'SLOT', 'ATTEMPT', 'BY', 'DETAIL'],
      j.events.map(({ seq, at, type, slot, attempt, actor, log_tail: _tail, ...rest }) => [
        seq,
        when(at),
        type,
        slot,
        attempt,
        actor,
        JSON.stringify(rest),
      ]),
    ),
    ...(j.log_tail ? ['', '--- log tail ---', j.log_tail.trimEnd()] : []),
  ];
}
