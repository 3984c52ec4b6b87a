/** The dashboard: the slot board, the charts (when the ledger tail keeps 3 lines) and the tail of the ledger. */
import { Box, Text } from 'ink';
import { Charts, CHARTS_HEIGHT } from '../components/Charts.js';
import { EventList } from '../components/EventList.js';
import { SlotLine, slotHeader, slotWidths } from '../components/SlotBoard.js';
import type { SpoolData } from '../hooks/useSpoolData.js';
import { fit } from '../text.js';
import { useTheme } from '../theme.js';

export function Dashboard({
  data,
  height,
  columns,
  cursor,
  now,
  pending,
}: {
  data: SpoolData;
  height: number;
  columns: number;
  cursor: number;
  now: number;
  pending: Record<string, string>;
}) {
  const theme = useTheme();
  const slots = data.status?.slots ?? [];
  const widths = slotWidths(slots, columns);
  const twoLines = 1 + slots.length * 2 + 4 <= height;
  const boardHeight = 1 + slots.length * (twoLines ? 2 : 1);
  const selected = slots[cursor];
  const detailLine =
    !twoLines && selected
      ? `slot ${selected.slot}: ${selected.reason ?? selected.message ?? (selected.job ? 'running' : selected.condition)}`
      : undefined;
  // Why pending jobs wait ("2 scheduled, next at 14:02:11", "plugin X at its limit (2 of 2)").
  const waits = data.status?.dispatch.waiting ?? [];
  const waitLine = waits.length > 0 ? `waiting: ${waits.map((w) => w.reason).join('; ')}` : undefined;
  const rest = Math.max(0, height - boardHeight - 2 - (detailLine ? 1 : 0) - (waitLine ? 1 : 0));
  // The charts take their lines from the ledger tail, never from the slots.
  const charts = rest - CHARTS_HEIGHT >= 3;
  const eventsHeight = charts ? rest - CHARTS_HEIGHT : rest;
  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate-end">
        {fit(slotHeader(widths), columns)}
      </Text>
      {slots.map((s, i) => (
        <SlotLine
          key={s.slot}
          slot={s}
          selected={i === cursor}
          now={now}
          pending={pending[`slot-${s.slot}`]}
          twoLines={twoLines}
          widths={widths}
        />
      ))}
      {detailLine ? <Text wrap="truncate-end">{fit(detailLine, columns, theme.ascii)}</Text> : null}
      {waitLine ? <Text wrap="truncate-end">{fit(waitLine, columns, theme.ascii)}</Text> : null}
      {charts ? <Charts data={data} columns={columns} /> : null}
      <Text bold wrap="truncate-end">
        {(theme.ascii ? '-- ledger ' : '── ledger ') + (theme.ascii ? '-' : '─').repeat(Math.max(0, columns - 10))}
      </Text>
      <EventList events={data.events} columns={columns} height={eventsHeight + 1} />
    </Box>
  );
}
