/** Every configured slot: state, holder, job, plugin, progress bar, elapsed time, heartbeat age. */
import { Box, Text } from 'ink';
import type { SlotStatus } from '../../src/api/slots.js';
import { stateStyle, useTheme } from '../theme.js';
import { bar, duration, fit, fitRight, grown } from '../text.js';

/** The JOB and PLUGIN columns: 12 and 9 at 80 columns, wider on a wider terminal as far as their longest value needs. */
export interface SlotWidths {
  job: number;
  plugin: number;
}

export function slotWidths(slots: readonly SlotStatus[], columns: number): SlotWidths {
  const job = grown(
    slots.map((s) => s.job ?? ''),
    12,
    columns - 80,
  );
  return {
    job,
    plugin: grown(
      slots.map((s) => s.plugin ?? ''),
      9,
      columns - 80 - (job - 12),
    ),
  };
}

export const slotHeader = (w: SlotWidths) =>
  `${fit('#', 2)} ${fit('STATE', 8)} ${fit('HOST:PID', 13)} ${fit('JOB', w.job)} ${fit('PLUGIN', w.plugin)} ${fit('PROGRESS', 15)} ${fit('TIME', 6)} BEAT`;

export function SlotLine({
  slot,
  selected,
  now,
  pending,
  twoLines,
  widths: w,
}: {
  slot: SlotStatus;
  selected: boolean;
  now: number;
  pending?: string;
  twoLines: boolean;
  widths: SlotWidths;
}) {
  const theme = useTheme();
  const state = slot.condition;
  const progress = slot.job ? `${bar(slot.progress, 10, theme.ascii)} ${fitRight(`${Math.round((slot.progress ?? 0) * 100)}%`, 4)}` : '';
  const elapsed = slot.job && slot.job_started_at ? duration(now - Date.parse(slot.job_started_at)) : '';
  const beat = slot.beat_age_s === null ? '' : `${slot.beat_age_s.toFixed(1)}s`;
  return (
    <Box flexDirection="column">
      <Text inverse={selected} wrap="truncate-end">
        {fit(String(slot.slot), 2)} <Text {...stateStyle(theme, state)}>{fit(pending ? `${pending}...` : state, 8, theme.ascii)}</Text>{' '}
        {fit(slot.host ? `${slot.host}:${slot.pid}` : '-', 13, theme.ascii)} {fit(slot.job ?? '-', w.job, theme.ascii)}{' '}
        {fit(slot.plugin ?? '', w.plugin, theme.ascii)} {fit(progress, 15)} {fit(elapsed, 6)}{' '}
        <Text {...(state === 'stale' ? stateStyle(theme, state) : {})}>{beat}</Text>
      </Text>
      {twoLines ? (
        <Text wrap="truncate-end" dimColor={theme.color}>
          {'   '}
          {slot.reason ?? slot.message ?? ''}
        </Text>
      ) : null}
    </Box>
  );
}
