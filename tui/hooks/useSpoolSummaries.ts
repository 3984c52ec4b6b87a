/**
 * A line's worth of every spool of the list (src/api/spool-summary.ts), reloaded every
 * refreshMs while the list is shown (at once when it is shown again). A spool that cannot be read this time keeps its last summary, with the error
 * beside it; one that could not be opened at all says why, and is never read.
 */
import { useEffect, useRef, useState } from 'react';
import { spoolSummary, type SpoolSummary } from '../../src/api/spool-summary.js';
import type { SpoolChoice } from '../../src/api/spools.js';

export interface SpoolRow {
  dir: string;
  summary?: SpoolSummary;
  error?: string;
  /** Only a spool that was opened can be shown on its own. */
  openable: boolean;
}

function load(choices: readonly SpoolChoice[], previous: readonly SpoolRow[] = []): SpoolRow[] {
  return choices.map((c, i) => {
    if (!c.spool) return { dir: c.dir, error: c.error, openable: false };
    try {
      return { dir: c.dir, summary: spoolSummary(c.spool), openable: true };
    } catch (err) {
      return { dir: c.dir, summary: previous[i]?.summary, error: (err as Error).message, openable: true };
    }
  });
}

export function useSpoolSummaries(choices: readonly SpoolChoice[], refreshMs = 1000, shown = true): SpoolRow[] {
  const [rows, setRows] = useState(() => load(choices));
  const latest = useRef(rows);
  useEffect(() => {
    if (!shown) return undefined;
    const reload = () => {
      latest.current = load(choices, latest.current);
      setRows(latest.current);
    };
    reload();
    const interval = setInterval(reload, refreshMs);
    return () => clearInterval(interval);
  }, [choices, refreshMs, shown]);
  return rows;
}
