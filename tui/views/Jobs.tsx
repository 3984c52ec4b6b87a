/**
 * Jobs by state (tabs), with the `/` filter, sorted as the ledger orders them, and "N of M".
 * The filter is shown in the footer: the tab line has no room left beside eight tabs.
 */
import { Box, Text } from 'ink';
import type { JobSummary } from '../../src/api/jobs.js';
import { JOB_LIMIT, type SpoolData } from '../hooks/useSpoolData.js';
import { JOB_TABS, type JobTab } from '../state.js';
import { stateStyle, useTheme } from '../theme.js';
import { duration, fit, fitRight } from '../text.js';

const HEADER = `${fit('ID', 20)} ${fit('STATE', 10)} ${fit('PLUGIN', 12)} ${fitRight('PRI', 3)} ${fitRight('ATT', 3)} ${fitRight('PROG', 4)} ${fit('UPDATED', 7)} WAITING/ERROR`;

export function JobRow({
  job,
  selected,
  pending,
  now,
  columns,
}: {
  job: JobSummary;
  selected: boolean;
  pending?: string;
  now: number;
  columns: number;
}) {
  const theme = useTheme();
  const state = pending ? `${pending}...` : job.state;
  return (
    <Text inverse={selected} wrap="truncate-end">
      {fit(job.id, 20, theme.ascii)} <Text {...stateStyle(theme, job.state)}>{fit(state, 10, theme.ascii)}</Text>{' '}
      {fit(job.plugin ?? '-', 12, theme.ascii)} {fitRight(String(job.priority), 3)} {fitRight(String(job.attempts), 3)}{' '}
      {fitRight(job.state === 'claimed' && job.progress !== null ? `${Math.round(job.progress * 100)}%` : '', 4)}{' '}
      {fit(duration(now - Date.parse(job.updated_at)), 7)}{' '}
      {/* A pending job says why it is not running yet (its time, a retry, other jobs, tags, a limit). */}
      {fit((job.state === 'pending' && job.waiting) || job.last_error || '', Math.max(0, columns - 67), theme.ascii)}
    </Text>
  );
}

export function Jobs(props: {
  data: SpoolData;
  tab: JobTab;
  filter: string;
  filtering: boolean;
  height: number;
  columns: number;
  cursor: number;
  now: number;
  pending: Record<string, string>;
}) {
  const { data, tab, filter, filtering, height, columns, cursor, now, pending } = props;
  const theme = useTheme();
  const counts = data.status?.counts;
  const rowsHeight = Math.max(1, height - 3);
  const start = Math.min(Math.max(0, cursor - rowsHeight + 1), Math.max(0, data.jobs.length - rowsHeight));
  const shown = data.jobs.slice(start, start + rowsHeight);
  const total = tab === 'all' ? Object.values(counts ?? {}).reduce((a, b) => a + b, 0) : (counts?.[tab] ?? 0);
  const of = filter ? `${data.jobs.length} matching` : data.jobs.length >= JOB_LIMIT ? `first ${JOB_LIMIT} of ${total}` : `${total}`;
  const position = data.jobs.length ? `${cursor + 1} of ${of}` : `0 of ${of}`;
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        {JOB_TABS.map((t) => (
          <Text key={t} inverse={t === tab} bold={t === tab}>
            {` ${t}${t !== 'all' && counts ? ` ${counts[t]}` : ''} `}
          </Text>
        ))}
      </Text>
      <Text bold wrap="truncate-end">
        {fit(HEADER, columns)}
      </Text>
      {shown.map((j, i) => (
        <JobRow key={j.id} job={j} selected={start + i === cursor} pending={pending[j.id]} now={now} columns={columns} />
      ))}
      {Array.from({ length: rowsHeight - shown.length }, (_, i) => (
        <Text key={`blank-${i}`}> </Text>
      ))}
      <Text wrap="truncate-end" {...(theme.color ? { dimColor: true } : {})}>
        {fit(
          `${position}   ${filtering ? `/${filter}_   ` : filter ? `filter: ${filter}   ` : ''}enter detail  / filter  left/right state${theme.readonly ? '' : '  r requeue  h hold/release  c cancel'}`,
          columns,
          theme.ascii,
        )}
      </Text>
    </Box>
  );
}
