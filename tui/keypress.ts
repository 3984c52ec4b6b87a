/**
 * Turns Ink's input events into key names the key table understands. A chunk of several
 * characters (typed ahead, a slow link, or `tmux send-keys jjj`) becomes one key each: Ink
 * names a key only when it arrives alone, so in a chunk Enter, Tab, Backspace and Ctrl-keys
 * are named here, not dropped or typed into the filter as control characters.
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
  return [...input].flatMap((c) => {
    if (c >= ' ' && c !== '\x7f') return [c];
    if (c === '\r' || c === '\n') return ['enter'];
    if (c === '\t') return ['tab'];
    if (c === '\x7f' || c === '\b') return ['backspace'];
    const code = c.charCodeAt(0);
    return code >= 1 && code <= 26 ? [`ctrl+${String.fromCharCode(code + 96)}`] : [];
  });
}
