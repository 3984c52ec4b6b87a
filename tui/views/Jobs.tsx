/**
 * Jobs by state (tabs), with the `/` filter, in the order `s` chose, and "N of M". The
 * filter and the order are shown in the header: the tab line has no room left beside eight
 * tabs; the footer shows the filter while it is typed.
 */
import { Box, Text } from 'ink';
import type { JobSummary } from '../../src/api/jobs.js';
import { JOB_LIMIT, type SpoolData } from '../hooks/useSpoolData.js';
import { JOB_TABS, type JobTab } from '../state.js';
import { stateStyle, useTheme } from '../theme.js';
import { duration, fit, fitRight, longest } from '../text.js';

/** Widths of the ID, PLUGIN and WAITING/ERROR columns: fixed at 80 columns, grown with the terminal. */
interface Widths {
  id: number;
  plugin: number;
  error: number;
}

/** The columns besides ID, PLUGIN and WAITING/ERROR, with their separators. */
const FIXED = 35;

/**
 * ID takes what its longest id needs (up to 20 columns at 80, more on a wider terminal), then
 * PLUGIN what its longest name needs of what is left, and WAITING/ERROR the rest: short ids
 * leave the error room to be read at 80 columns.
 */
function widths(jobs: readonly JobSummary[], columns: number): Widths {
  const spare = Math.max(0, columns - 80);
  const id = Math.max('ID'.length, Math.min(longest(jobs.map((j) => j.id)), 20 + spare));
  const plugin = Math.max('PLUGIN'.length, Math.min(longest(jobs.map((j) => j.plugin ?? '-')), 12 + spare + 20 - id));
  return { id, plugin, error: Math.max(0, columns - FIXED - id - plugin) };
}

const header = (w: Widths) =>
  `${fit('ID', w.id)} ${fit('STATE', 10)} ${fit('PLUGIN', w.plugin)} ${fitRight('PRI', 3)} ${fitRight('ATT', 3)} ${fitRight('PROG', 4)} ${fit('UPDATED', 7)} WAITING/ERROR`;

export function JobRow({
  job,
  selected,
  pending,
  now,
  widths: w,
}: {
  job: JobSummary;
  selected: boolean;
  pending?: string;
  now: number;
  widths: Widths;
}) {
  const theme = useTheme();
  const state = pending ? `${pending}...` : job.state;
  return (
    <Text inverse={selected} wrap="truncate-end">
      {fit(job.id, w.id, theme.ascii)} <Text {...stateStyle(theme, job.state)}>{fit(state, 10, theme.ascii)}</Text>{' '}
      {fit(job.plugin ?? '-', w.plugin, theme.ascii)} {fitRight(String(job.priority), 3)} {fitRight(String(job.attempts), 3)}{' '}
      {fitRight(job.state === 'claimed' && job.progress !== null ? `${Math.round(job.progress * 100)}%` : '', 4)}{' '}
      {fit(duration(now - Date.parse(job.updated_at)), 7)}{' '}
      {/* A pending job says why it is not running yet (its time, a retry, other jobs, tags, a limit), a claim that it is queued. */}
      {fit(job.waiting || job.last_error || '', w.error, theme.ascii)}
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
  const w = widths(data.jobs, columns);
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
        {fit(header(w), columns)}
      </Text>
      {shown.map((j, i) => (
        <JobRow key={j.id} job={j} selected={start + i === cursor} pending={pending[j.id]} now={now} widths={w} />
      ))}
      {Array.from({ length: rowsHeight - shown.length }, (_, i) => (
        <Text key={`blank-${i}`}> </Text>
      ))}
      <Text wrap="truncate-end" {...(theme.color ? { dimColor: true } : {})}>
        {fit(
          `${position}   ${filtering ? `/${filter}_   ` : ''}enter detail  l log  / filter  s sort  left/right state${theme.readonly ? '' : '  r requeue  h hold/release  c cancel'}`,
          columns,
          theme.ascii,
        )}
      </Text>
    </Box>
  );
}
