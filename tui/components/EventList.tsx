/** Ledger events, one line each: time, type, job, slot/attempt, who. */
import { Box, Text } from 'ink';
import type { ActivityEvent } from '../../src/api/activity.js';
import { useTheme } from '../theme.js';
import { clock, fit } from '../text.js';

function eventStyle(type: string, color: boolean): { color?: string; bold?: boolean } {
  const map: Record<string, string> = {
    done: 'blue',
    failed: 'red',
    fenced: 'magenta',
    reclaimed: 'yellow',
    rejected: 'magenta',
    worker_lost: 'red',
    claimed: 'green',
  };
  if (color) return { color: map[type] };
  return type === 'failed' || type === 'fenced' || type === 'worker_lost' ? { bold: true } : {};
}

export function eventLine(e: ActivityEvent, columns: number, ascii: boolean): string[] {
  const where = [e.slot ? `slot ${e.slot}` : '', e.attempt ? `#${e.attempt}` : ''].filter(Boolean).join(' ');
  const extra = typeof e.detail.reason === 'string' ? e.detail.reason : typeof e.detail.error === 'string' ? e.detail.error : '';
  return [
    clock(e.at),
    fit(e.type, 12, ascii),
    fit(e.job ?? '', 14, ascii),
    fit(where, 10, ascii),
    fit(`${e.actor ?? ''} ${extra}`.trim(), Math.max(0, columns - 50), ascii),
  ];
}

export function EventList({
  events,
  columns,
  height,
  cursor,
}: {
  events: ActivityEvent[];
  columns: number;
  height: number;
  cursor?: number;
}) {
  const theme = useTheme();
  const start =
    cursor === undefined
      ? Math.max(0, events.length - height)
      : Math.min(Math.max(0, cursor - height + 1), Math.max(0, events.length - height));
  const shown = events.slice(start, start + height);
  return (
    <Box flexDirection="column">
      {shown.map((e, i) => {
        const [t, type, job, where, rest] = eventLine(e, columns, theme.ascii);
        return (
          <Text key={e.seq} wrap="truncate-end" inverse={cursor !== undefined && start + i === cursor}>
            {t} <Text {...eventStyle(e.type, theme.color)}>{type}</Text> {job} {where} {rest}
          </Text>
        );
      })}
    </Box>
  );
}
