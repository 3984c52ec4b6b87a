/** Shown instead of everything else below 80x24. */
import { Text } from 'ink';
import type { Size } from '../hooks/useTerminalSize.js';

export const MIN_SIZE: Size = { columns: 80, rows: 24 };

export function TooSmall({ size }: { size: Size }) {
  return (
    <Text wrap="wrap">
      Terminal too small: {size.columns}x{size.rows}. spoolctl tui needs at least {MIN_SIZE.columns}x{MIN_SIZE.rows}. Resize it, or use
      `spoolctl status`. q quits.
    </Text>
  );
}
