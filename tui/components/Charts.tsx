/**
 * The dashboard's two charts, three lines tall: jobs done per minute over the last minutes
 * (a sparkline, oldest left) and pending jobs by age (a bar per `status` age bucket).
 */
import { Box, Text } from 'ink';
import type { SpoolData } from '../hooks/useSpoolData.js';
import { useTheme } from '../theme.js';
import { fit, fitRight, sparkline } from '../text.js';

/** Each age bucket's cell: its widest label ("30m-2h") and a space. */
const CELL = 7;

export const CHARTS_HEIGHT = 3;

export function Charts({ data, columns }: { data: SpoolData; columns: number }) {
  const theme = useTheme();
  const buckets = data.status?.ages?.buckets ?? [];
  const pending = data.status?.ages?.counts.pending ?? buckets.map(() => 0);
  const right = buckets.length * CELL;
  // The bars stand right of the sparkline, not at the far end of a wide terminal.
  const left = Math.max(0, Math.min(columns - right - 1, data.doneHistory.length + 8));
  const history = data.doneHistory.slice(-Math.max(0, left - 1));
  const bars = sparkline(pending, theme.ascii);
  const total = pending.reduce((a, b) => a + b, 0);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {fit(`done/min, last ${history.length}m (max ${Math.max(0, ...history)})`, left)} {`pending by age (${total})`}
      </Text>
      <Text wrap="truncate-end">
        <Text {...(theme.color ? { color: 'blue' } : {})}>{fit(sparkline(history, theme.ascii), left)}</Text>{' '}
        {pending.map((n, i) => (
          <Text key={i} {...(theme.color ? { color: 'cyan' } : {})}>
            {fit(`${bars[i]!.repeat(3)}${fitRight(String(n), 3)}`, CELL)}
          </Text>
        ))}
      </Text>
      <Text wrap="truncate-end" dimColor={theme.color}>
        {fit(`-${history.length}m${fitRight('now', Math.max(0, history.length - 1 - String(history.length).length))}`, left)}{' '}
        {buckets.map((b) => fit(b, CELL)).join('')}
      </Text>
    </Box>
  );
}
