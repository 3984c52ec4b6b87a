/** Every slot in detail, for draining: holder, job, counts, heartbeat and why its holder is gone. */
import { Box, Text } from 'ink';
import type { SpoolData } from '../hooks/useSpoolData.js';
import { stateStyle, useTheme } from '../theme.js';
import { bar, fit, fitRight } from '../text.js';

export function Slots({
  data,
  height,
  columns,
  cursor,
  pending,
}: {
  data: SpoolData;
  height: number;
  columns: number;
  cursor: number;
  pending: Record<string, string>;
}) {
  const theme = useTheme();
  const slots = data.status?.slots ?? [];
  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate-end">
        {fit(
          `${fit('#', 2)} ${fit('STATE', 8)} ${fit('HOST:PID', 16)} ${fitRight('DONE', 5)} ${fitRight('FAIL', 4)} ${fit('BEAT', 6)} JOB / WHY`,
          columns,
        )}
      </Text>
      {slots.map((s, i) => {
        const state = pending[`slot-${s.slot}`] ? `${pending[`slot-${s.slot}`]}...` : s.condition;
        // A drained slot with no holder is free, yet a worker that takes it exits at once.
        const why =
          s.reason ??
          (s.job
            ? `${s.job} ${bar(s.progress, 8, theme.ascii)} ${Math.round((s.progress ?? 0) * 100)}% ${s.message ?? ''}`
            : s.draining
              ? 'drained: no worker until undrain'
              : s.tags.length > 0
                ? `tags ${s.tags.join(',')}`
                : '');
        return (
          <Text key={s.slot} inverse={i === cursor} wrap="truncate-end">
            {fit(String(s.slot), 2)} <Text {...stateStyle(theme, s.condition)}>{fit(state, 8, theme.ascii)}</Text>{' '}
            {fit(s.host ? `${s.host}:${s.pid}` : '-', 16, theme.ascii)} {fitRight(String(s.jobs_done ?? '-'), 5)}{' '}
            {fitRight(String(s.jobs_failed ?? '-'), 4)} {fit(s.beat_age_s === null ? '-' : `${s.beat_age_s}s`, 6)}{' '}
            {fit(why, Math.max(0, columns - 47), theme.ascii)}
          </Text>
        );
      })}
      <Text> </Text>
      <Text wrap="truncate-end">
        {fit(
          `max_workers ${data.status?.max_workers ?? '?'}${theme.readonly ? '' : '   d drain the selected slot (its worker finishes its job, then exits)'}`,
          columns,
          theme.ascii,
        )}
      </Text>
    </Box>
  );
}
