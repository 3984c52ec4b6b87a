/** A job's log: the tail, following while the job runs, or the lines scrolled to. */
import { Box, Text } from 'ink';
import type { JobLog } from '../hooks/useJobLog.js';
import { logTop } from '../state.js';
import { stateStyle, useTheme } from '../theme.js';
import { fit } from '../text.js';

export function Log({ log, top, height, columns }: { log: JobLog; top?: number; height: number; columns: number }) {
  const theme = useTheme();
  const rows = height - 1;
  const start = logTop(top, log.lines.length, rows);
  const shown = log.lines.slice(start, start + rows);
  const title = `log ${log.job ?? ''} `;
  const where =
    log.lines.length === 0
      ? 'no output yet'
      : `${top === undefined ? 'following' : 'scrolled'}  lines ${start + 1}-${start + shown.length} of ${log.lines.length}${log.cut ? ' (last 256 KiB)' : ''}`;
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        <Text bold>{title}</Text>
        <Text {...stateStyle(theme, log.state ?? '')}>{log.state ?? ''}</Text>
        <Text>
          {fit(
            `  ${log.error ?? where}  j/k/g/G scroll, G follows  esc back`,
            Math.max(0, columns - title.length - (log.state ?? '').length),
            theme.ascii,
          )}
        </Text>
      </Text>
      {shown.map((l, i) => (
        <Text key={start + i} wrap="truncate-end">
          {fit(l, columns, theme.ascii)}
        </Text>
      ))}
    </Box>
  );
}
