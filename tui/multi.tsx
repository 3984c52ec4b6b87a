/**
 * The TUI over several spools: a list with a row each; enter opens one in the single-spool
 * TUI (the same views and keys), whose esc, when it has nothing of its own to close, comes back
 * to the list. The list keeps its selection meanwhile; q quits from either.
 */
import { Box, useApp, useInput } from 'ink';
import { useRef, useState } from 'react';
import type { SpoolChoice } from '../src/api/spools.js';
import { App } from './app.js';
import { MIN_SIZE, TooSmall } from './components/TooSmall.js';
import { useNow } from './hooks/useNow.js';
import { useSpoolSummaries } from './hooks/useSpoolSummaries.js';
import { useTerminalSize, type Size } from './hooks/useTerminalSize.js';
import { commandFor } from './keymap.js';
import { keyNames } from './keypress.js';
import { SpoolList } from './views/SpoolList.js';

export interface ManySpoolsProps {
  choices: SpoolChoice[];
  /** Render at this size instead of the terminal's (tests). */
  size?: Size;
  refreshMs?: number;
}

export function ManySpools({ choices, size: fixedSize, refreshMs }: ManySpoolsProps) {
  const { size, repainting } = useTerminalSize(fixedSize);
  const { exit } = useApp();
  const [open, setOpen] = useState<number>();
  const [cursor, setCursor] = useState(0);
  const [notice, setNotice] = useState<string>();
  const rows = useSpoolSummaries(choices, refreshMs, open === undefined);
  const now = useNow();
  // The list's key handler stays subscribed while a spool is open, and these refs, written as
  // each key is handled, say whose key it is: a key typed right after esc reaches the list
  // before its next render, and each key of a chunk (`jj`) moves from where the last one left.
  const openRef = useRef(open);
  const at = useRef(cursor);
  const tooSmall = size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows;

  const show = (index: number | undefined) => {
    openRef.current = index;
    setOpen(index);
  };
  const move = (to: number) => {
    at.current = Math.max(0, Math.min(rows.length - 1, to));
    setCursor(at.current);
    setNotice(undefined);
  };
  const handle = (k: string) => {
    if (openRef.current !== undefined) return;
    const cmd = commandFor(k, true);
    if (cmd === 'quit') return exit();
    if (tooSmall) return;
    if (cmd === 'down') move(at.current + 1);
    else if (cmd === 'up') move(at.current - 1);
    else if (cmd === 'top') move(0);
    else if (cmd === 'bottom') move(rows.length - 1);
    else if (cmd === 'open') {
      const row = rows[at.current];
      if (row?.openable) show(at.current);
      else if (row) setNotice(`${row.dir} cannot be opened: why is above`);
    }
  };
  useInput((input, key) => {
    for (const k of keyNames(input, key)) handle(k);
  });

  const spool = open === undefined ? undefined : choices[open]?.spool;
  if (spool) return <App spool={spool} size={fixedSize} refreshMs={refreshMs} onBack={() => show(undefined)} />;
  if (repainting) return <Box height={Math.max(1, size.rows - 1)} />;
  if (tooSmall) return <TooSmall size={size} />;
  return <SpoolList rows={rows} cursor={cursor} columns={size.columns} height={size.rows - 1} now={now} notice={notice} />;
}
