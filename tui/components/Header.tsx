/**
 * Top three lines: where, the sentinel (and the journal when it is not keeping up), counts with
 * the rate, and a banner when something is wrong.
 */
import { Box, Text } from 'ink';
import type { SpoolData } from '../hooks/useSpoolData.js';
import { VIEWS, type UiState } from '../state.js';
import { stateStyle, useTheme } from '../theme.js';
import { clock, day, duration, fit, zoneName } from '../text.js';

const STALE_AFTER_MS = 5000;

export function Header({ data, ui, columns, now }: { data: SpoolData; ui: UiState; columns: number; now: number }) {
  const theme = useTheme();
  const st = data.status;
  const s = st?.sentinel;
  const standby = (s?.standby ?? []).filter((b) => b.up).map((b) => b.host);
  const sentinel =
    (s?.up
      ? `sentinel UP ${s.host}:${s.pid} up ${duration(now - Date.parse(s.started_at ?? new Date(now).toISOString()))}`
      : 'sentinel DOWN') + (standby.length > 0 ? ` standby ${standby.join(',')}` : '');
  const j = s?.up ? s.journal : null;
  // Nothing when the journal keeps up: the line has no room to spare at 80 columns.
  const journal = j && (!j.ok || j.behind > 0) ? ` journal BEHIND ${j.behind}` : '';
  // Every time on screen is in this zone: said once, with the time now.
  const time = `${clock(new Date(now).toISOString(), theme.utc)} ${zoneName(theme.utc ?? false, new Date(now))} `;
  const where = `spoolctl ${st?.spool ?? ''} (${data.fs.type}${data.fs.network ? ', network' : ''})`;
  const age = now - data.loadedAt;
  const rate = ` ${data.donePerMin}/min upd ${duration(age)}`;
  const counts = st ? countsThatFit(st.counts, columns - rate.length) : [];
  const stale = age > STALE_AFTER_MS;
  let banner: string | undefined;
  const paused = st?.dispatch.paused;
  const r = data.replay;
  if (r)
    banner = `REPLAY ${day(new Date(r.at).toISOString(), theme.utc === true)} ${clock(new Date(r.at).toISOString(), theme.utc)} #${r.seq} ${r.playing ? `playing ${r.speed}x` : 'paused'}  ,. event  <> minute  space play  + speed`;
  else if (!s?.up) banner = 'SENTINEL DOWN: nothing is dispatched or applied. Start it: spoolctl sentinel';
  else if (paused) banner = `DISPATCH PAUSED by ${paused.by}${paused.reason ? `: ${paused.reason}` : ''}; p resumes`;
  else if (stale) banner = `DATA STALE: last update ${duration(age)} ago${data.error ? ` (${data.error})` : ''}`;
  else if (data.error) banner = data.error;
  return (
    <Box flexDirection="column" width={columns}>
      <Text wrap="truncate-end">
        <Text bold>{fit(where, Math.max(10, columns - time.length - sentinel.length - journal.length - 1), theme.ascii)}</Text> {time}
        <Text {...(s?.up ? (theme.color ? { color: 'green' } : {}) : { inverse: true, ...(theme.color ? { color: 'red' } : {}) })}>
          {sentinel}
        </Text>
        {journal && (
          <Text bold {...(theme.color ? { color: 'red' } : { inverse: true })}>
            {journal}
          </Text>
        )}
      </Text>
      <Text wrap="truncate-end">
        {counts.map(({ state, label, text }) => (
          <Text key={state}>
            <Text {...stateStyle(theme, state)}>{label}</Text>
            {text}
          </Text>
        ))}
        <Text>{rate}</Text>
      </Text>
      {banner ? (
        <Text inverse bold wrap="truncate-end" {...(theme.color ? { color: 'red' } : {})}>
          {fit(banner, columns, theme.ascii)}
        </Text>
      ) : (
        <Text wrap="truncate-end">
          {VIEWS.map((v, i) => (
            <Text key={v} inverse={v === ui.view} bold={v === ui.view}>
              {` ${i + 1} ${v[0]!.toUpperCase()}${v.slice(1)} `}
            </Text>
          ))}
          {/* The jobs view's order and filter, where the other views give key hints. */}
          {ui.view === 'jobs' && !ui.detail && !ui.log ? (
            <Text bold>{`  sort: ${ui.sort}${ui.filter ? `  filter: ${ui.filter}` : ''}`}</Text>
          ) : (
            <Text dimColor={theme.color}>{'  tab/1-4 views  ? help  q quit'}</Text>
          )}
        </Text>
      )}
    </Box>
  );
}

/** States a spool may never use: their zero counts give way first when the line is short. */
const RARE = new Set(['held', 'rejected', 'cancelled']);
export const SHORT: Record<string, string> = { pending: 'pend', claimed: 'run', failed: 'fail', rejected: 'rej', cancelled: 'canc' };

/**
 * The counts line within `room` columns: every state by name when it fits; else without the
 * rare states at zero; else with short names too. Scheduled jobs are pending ones waiting for
 * a time: told beside pending, not as a state.
 */
export function countsThatFit(counts: Record<string, number>, room: number): { state: string; label: string; text: string }[] {
  const scheduled = counts.scheduled ?? 0;
  const all = Object.entries(counts).filter(([k]) => k !== 'scheduled');
  const line = (entries: [string, number][], short: boolean) =>
    entries.map(([state, n]) => ({
      state,
      label: short ? (SHORT[state] ?? state) : state,
      text: ` ${n}${state === 'pending' && scheduled > 0 ? ` (${scheduled} sched)` : ''} `,
    }));
  const width = (l: ReturnType<typeof line>) => l.reduce((w, e) => w + e.label.length + e.text.length, 0);
  const used = all.filter(([k, n]) => n > 0 || !RARE.has(k));
  for (const candidate of [line(all, false), line(used, false), line(used, true)]) if (width(candidate) <= room) return candidate;
  return line(used, true);
}
