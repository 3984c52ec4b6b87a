/** One job: its fields, manifest, ledger timeline and the tail of its log. */
import { Box, Text } from 'ink';
import type { JobDetail as Detail } from '../../src/api/jobs.js';
import { stateStyle, useTheme } from '../theme.js';
import { clock, fit } from '../text.js';

export function JobDetail({ job, height, columns, pending }: { job?: Detail; height: number; columns: number; pending?: string }) {
  const theme = useTheme();
  if (!job) {
    return (
      <Box height={height}>
        <Text>Loading the job...</Text>
      </Box>
    );
  }
  const fields = [
    `job ${job.id}   plugin ${job.plugin ?? '-'}   priority ${job.priority}   attempts ${job.attempts}${job.max_attempts ? ` of ${job.max_attempts}` : ''}`,
    `file ${job.file ?? '-'}${job.slot ? `   slot ${job.slot}` : ''}${job.state === 'claimed' && job.progress !== null ? `   progress ${Math.round(job.progress * 100)}%${job.message ? ` ${job.message}` : ''}` : ''}`,
    ...(job.last_error ? [`error ${job.last_error}`] : []),
    `manifest ${job.manifest ? JSON.stringify(job.manifest) : '(file not readable)'}`,
  ];
  const timelineRows = job.events.map(
    ({ at, type, slot, attempt, actor }) =>
      `${clock(at, theme.utc)} ${fit(type, 12)} ${slot ? `slot ${slot}` : '      '} ${attempt ? `#${attempt}` : '  '} ${actor ?? ''}`,
  );
  const logLines = (job.log_tail ?? '').trimEnd().split('\n').filter(Boolean);
  const budget = height - fields.length - 3;
  const timelineHeight = Math.min(timelineRows.length, Math.max(3, Math.ceil(budget / 2)));
  const logHeight = Math.max(0, budget - timelineHeight);
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        <Text bold>state </Text>
        <Text {...stateStyle(theme, job.state)} bold>
          {pending ? `${pending}...` : job.state}
        </Text>
        <Text>
          {'   esc back'}
          {theme.readonly ? '' : '  r requeue  h hold/release  c cancel'}
        </Text>
      </Text>
      {fields.map((f, i) => (
        <Text key={i} wrap="truncate-end">
          {fit(f, columns, theme.ascii)}
        </Text>
      ))}
      <Text bold>timeline</Text>
      {timelineRows.slice(-timelineHeight).map((r, i) => (
        <Text key={`t${i}`} wrap="truncate-end">
          {fit(r, columns, theme.ascii)}
        </Text>
      ))}
      <Text bold>log</Text>
      {job.log_tail === null && logHeight > 0 ? (
        <Text wrap="truncate-end" {...(theme.color ? { dimColor: true } : {})}>
          {noLogReason(job.state)}
        </Text>
      ) : null}
      {logLines.slice(-logHeight).map((r, i) => (
        <Text key={`l${i}`} wrap="truncate-end">
          {fit(r, columns, theme.ascii)}
        </Text>
      ))}
    </Box>
  );
}

/** Why a job has no log file: a worker creates one with the first output. */
function noLogReason(state: string): string {
  if (state === 'done') return '(none: the job printed nothing)';
  if (state === 'pending' || state === 'claimed' || state === 'held') return '(no output yet)';
  return '(none)';
}
