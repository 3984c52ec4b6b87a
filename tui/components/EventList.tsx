/** Ledger events, one line each: time, type, job, slot/attempt, who. */
import { Box, Text } from 'ink';
import type { ActivityEvent } from '../../src/api/activity.js';
import { useTheme, type Theme } from '../theme.js';
import { clock, fit, grown } from '../text.js';

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

/** The JOB column: 14 at 80 columns, wider on a wider terminal as far as the longest id needs. */
export function eventJobWidth(events: readonly ActivityEvent[], columns: number): number {
  return grown(
    events.map((e) => e.job ?? ''),
    14,
    columns - 80,
  );
}

function eventLine(e: ActivityEvent, columns: number, jobWidth: number, theme: Theme): string[] {
  const { ascii } = theme;
  const where = [e.slot ? `slot ${e.slot}` : '', e.attempt ? `#${e.attempt}` : ''].filter(Boolean).join(' ');
  const extra = typeof e.detail.reason === 'string' ? e.detail.reason : typeof e.detail.error === 'string' ? e.detail.error : '';
  return [
    clock(e.at, theme.utc),
    fit(e.type, 12, ascii),
    fit(e.job ?? '', jobWidth, ascii),
    fit(where, 10, ascii),
    fit(`${e.actor ?? ''} ${extra}`.trim(), Math.max(0, columns - 36 - jobWidth), ascii),
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
  const jobWidth = eventJobWidth(events, columns);
  return (
    <Box flexDirection="column">
      {shown.map((e, i) => {
        const [t, type, job, where, rest] = eventLine(e, columns, jobWidth, theme);
        return (
          <Text key={e.seq} wrap="truncate-end" inverse={cursor !== undefined && start + i === cursor}>
            {t} <Text {...eventStyle(e.type, theme.color)}>{type}</Text> {job} {where} {rest}
          </Text>
        );
      })}
    </Box>
  );
}
