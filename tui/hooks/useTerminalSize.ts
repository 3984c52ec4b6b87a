/**
 * The terminal's size, following resizes. A fixed size can be given (tests render at 80x24).
 *
 * A resize leaves the screen unlike what Ink last drew (the terminal may shift or cut lines),
 * and Ink erases and rewrites the lines it believes it drew last. So on a resize the
 * screen is cleared with the cursor home (from where Ink's upward moves cannot go astray),
 * one blank frame is drawn, and then the full frame: every line is written afresh.
 */
import { useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';

export interface Size {
  columns: number;
  rows: number;
}

/** Longer than a frame at Ink's 10 fps cap, so the blank frame is drawn before the full one. */
const REPAINT_AFTER_MS = 200;

const sizeOf = (stdout: NodeJS.WriteStream): Size => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });

export function useTerminalSize(fixed?: Size): { size: Size; repainting: boolean } {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => fixed ?? sizeOf(stdout));
  const [repainting, setRepainting] = useState(false);
  const timer = useRef<NodeJS.Timeout | undefined>(undefined);
  useEffect(() => {
    if (fixed) return undefined;
    const onResize = () => {
      stdout.write('\x1b[H\x1b[2J');
      setSize(sizeOf(stdout));
      setRepainting(true);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        timer.current = undefined;
        setRepainting(false);
      }, REPAINT_AFTER_MS);
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [stdout, fixed]);
  return { size, repainting };
}
