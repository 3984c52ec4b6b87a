/**
 * The replay's clock (`spoolctl tui --at`) and its keys: `,` `.` one event back or forward,
 * `<` `>` a minute, space plays or pauses, `+` cycles the speed (1x, 10x, 60x).
 */
import { useEffect, useState } from 'react';
import type { Replay } from '../../src/api/replay.js';

export const SPEEDS = [1, 10, 60] as const;
const TICK_MS = 200;

export interface ReplayPosition {
  at: number;
  seq: number;
  playing: boolean;
  speed: number;
}

export interface ReplayPlayer extends ReplayPosition {
  /** Whether the key was one of the replay's. */
  key(k: string): boolean;
}

export function useReplayPlayer(replay: Replay | undefined): ReplayPlayer | undefined {
  const [pos, setPos] = useState<ReplayPosition>(() => ({ at: replay?.clock ?? 0, seq: replay?.seq ?? 0, playing: false, speed: 1 }));
  useEffect(() => {
    if (!replay || !pos.playing) return;
    const t = setInterval(() => {
      replay.seekTime(replay.clock + TICK_MS * pos.speed);
      // Played up to now, there is nothing more to show: it stops there.
      const caughtUp = replay.clock >= Date.now();
      setPos((p) => ({ ...p, at: replay.clock, seq: replay.seq, playing: !caughtUp }));
    }, TICK_MS);
    return () => clearInterval(t);
  }, [replay, pos.playing, pos.speed]);
  if (!replay) return undefined;
  return {
    ...pos,
    // Two keys can arrive before the next render: each change builds on the last one made.
    key(k) {
      let change: (p: ReplayPosition) => Partial<ReplayPosition> = () => ({});
      if (k === ',' || k === '.') replay.stepEvents(k === '.' ? 1 : -1);
      else if (k === '<' || k === '>') replay.seekTime(replay.clock + (k === '>' ? 60_000 : -60_000));
      else if (k === ' ') change = (p) => ({ playing: !p.playing });
      else if (k === '+') change = (p) => ({ speed: SPEEDS[(SPEEDS.indexOf(p.speed as (typeof SPEEDS)[number]) + 1) % SPEEDS.length]! });
      else return false;
      setPos((p) => ({ ...p, ...change(p), at: replay.clock, seq: replay.seq }));
      return true;
    },
  };
}
