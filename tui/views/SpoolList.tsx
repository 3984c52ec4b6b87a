/**
 * The list of spools: one row each (the sentinel, the counts, the slots, the rate, a `!` when
 * something wants a look), and below it the selected spool's path and what is wrong with it.
 */
import { Box, Text } from 'ink';
import type { JobState } from '../../src/spool/layout.js';
import { SHORT } from '../components/Header.js';
import type { SpoolRow } from '../hooks/useSpoolSummaries.js';
import { useTheme } from '../theme.js';
import { clock, fit, fitRight, zoneName } from '../text.js';

const COUNTED: JobState[] = ['pending', 'claimed', 'done', 'failed', 'held', 'rejected', 'cancelled'];
/** Every column but the spool's: the marker, SENTINEL, the counts, SLOTS and /MIN. */
const FIXED = 2 + 9 + COUNTED.length * 5 + 6 + 5;
/** The selected spool's path, and up to two lines of what is wrong. */
const DETAIL_ROWS = 3;

/** A count in four columns: 12345 is 12k. */
function count(n: number): string {
  return n < 10_000 ? String(n) : n < 10_000_000 ? `${Math.floor(n / 1000)}k` : `${Math.floor(n / 1_000_000)}M`;
}

function problemsOf(row: SpoolRow): string[] {
  if (!row.openable) return [`cannot be opened: ${row.error}`];
  return [...(row.summary?.problems ?? []), ...(row.error ? [`cannot be read: ${row.error}`] : [])];
}

function Row({ row, selected, nameWidth }: { row: SpoolRow; selected: boolean; nameWidth: number }) {
  const theme = useTheme();
  const alarm = theme.color ? { color: 'red', bold: true } : { bold: true };
  const problems = problemsOf(row);
  const s = row.summary;
  const rest = FIXED - 2;
  return (
    <Text inverse={selected} wrap="truncate-end">
      <Text {...(problems.length > 0 ? alarm : {})}>{problems.length > 0 ? '! ' : '  '}</Text>
      {fit(row.dir, nameWidth, theme.ascii, 'end')}
      {s ? (
        <Text>
          {' '}
          <Text {...(s.sentinel_up ? (theme.color ? { color: 'green' } : {}) : alarm)}>{fit(s.sentinel_up ? 'up' : 'DOWN', 8)}</Text>
          {COUNTED.map((state) => ` ${fitRight(count(s.counts[state]), 4)}`).join('')}
          {fitRight(`${s.slots_busy}/${s.slots_total}`, 6)}
          {fitRight(count(s.done_per_min), 5)}
        </Text>
      ) : (
        ` ${fit(problems[0] ?? '', rest - 1, theme.ascii)}`
      )}
    </Text>
  );
}

export function SpoolList({
  rows,
  cursor,
  columns,
  height,
  now,
  notice,
}: {
  rows: SpoolRow[];
  cursor: number;
  columns: number;
  height: number;
  now: number;
  notice?: string;
}) {
  const theme = useTheme();
  const nameWidth = Math.max(8, columns - FIXED);
  const listHeight = Math.max(1, height - 3 - DETAIL_ROWS);
  const start = Math.min(Math.max(0, cursor - listHeight + 1), Math.max(0, rows.length - listHeight));
  const shown = rows.slice(start, start + listHeight);
  const wanting = rows.filter((r) => problemsOf(r).length > 0).length;
  const title = `spoolctl  ${rows.length} spools${wanting > 0 ? `, ${wanting} with a problem` : ''}`;
  const time = `${clock(new Date(now).toISOString(), theme.utc)} ${zoneName(theme.utc ?? false, new Date(now))}`;
  const heading = `  ${fit('SPOOL', nameWidth)} ${fit('SENTINEL', 8)}${COUNTED.map((st) => ` ${fitRight((SHORT[st] ?? st).toUpperCase(), 4)}`).join('')} SLOTS /MIN`;
  const selected = rows[cursor];
  const problems = selected ? problemsOf(selected) : [];
  return (
    <Box flexDirection="column" width={columns} height={height}>
      <Text wrap="truncate-end">
        <Text bold>{fit(title, columns - time.length - 1, theme.ascii)}</Text> {time}
      </Text>
      <Text bold wrap="truncate-end">
        {fit(heading, columns)}
      </Text>
      <Box flexDirection="column" height={listHeight} overflow="hidden">
        {shown.map((row, i) => (
          <Row key={row.dir} row={row} selected={start + i === cursor} nameWidth={nameWidth} />
        ))}
      </Box>
      <Text wrap="truncate-end">{fit(selected?.dir ?? '', columns, theme.ascii, 'end')}</Text>
      <Box height={DETAIL_ROWS - 1} overflow="hidden">
        <Text wrap="wrap" {...(problems.length > 0 ? (theme.color ? { color: 'red' } : { bold: true }) : {})}>
          {problems.length > 0 ? problems.join('; ') : 'nothing wrong'}
        </Text>
      </Box>
      {notice ? (
        <Text wrap="truncate-end" bold {...(theme.color ? { color: 'red' } : {})}>
          {fit(notice, columns, theme.ascii)}
        </Text>
      ) : (
        <Text wrap="truncate-end">{fit('j/k select  enter open (esc there comes back here)  q quit', columns)}</Text>
      )}
    </Box>
  );
}
