/** The help overlay, drawn from the same key table the dispatcher uses. */
import { Box, Text } from 'ink';
import { KEYMAP } from '../keymap.js';
import { useTheme } from '../theme.js';
import { fit } from '../text.js';

export function Help({ height, columns }: { height: number; columns: number }) {
  const theme = useTheme();
  const rows = KEYMAP.filter((b) => !(theme.readonly && b.action));
  const half = Math.ceil(rows.length / 2);
  const col = Math.floor(columns / 2);
  const cell = (i: number) => {
    const b = rows[i];
    return b ? fit(`${fit(b.keys.join(' '), 15)} ${b.help}`, col - 1, theme.ascii) : '';
  };
  return (
    <Box flexDirection="column" height={height}>
      <Text bold>Keys (any key closes this help)</Text>
      {Array.from({ length: Math.min(half, height - 1) }, (_, i) => (
        <Text key={i} wrap="truncate-end">
          {cell(i)} {cell(i + half)}
        </Text>
      ))}
    </Box>
  );
}
