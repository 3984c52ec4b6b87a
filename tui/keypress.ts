/**
 * Turns Ink's input events into key names the key table understands. A chunk of several
 * printable characters (typed ahead, or `tmux send-keys jjj`) becomes one key each.
 */
import type { Key } from 'ink';

export function keyNames(input: string, key: Key): string[] {
  if (key.upArrow) return ['up'];
  if (key.downArrow) return ['down'];
  if (key.leftArrow) return ['left'];
  if (key.rightArrow) return ['right'];
  if (key.pageDown) return ['pagedown'];
  if (key.pageUp) return ['pageup'];
  if (key.home) return ['home'];
  if (key.end) return ['end'];
  if (key.return) return ['enter'];
  if (key.escape) return ['escape'];
  if (key.tab) return ['tab'];
  if (key.backspace || key.delete) return ['backspace'];
  if (key.ctrl && input) return [`ctrl+${input}`];
  return [...input].filter((c) => c >= ' ');
}
