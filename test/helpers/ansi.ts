/**
 * The SGR escape sequences (colours and attributes) in what the TUI writes. The patterns are
 * built from ESC's code, so no regex literal holds a control character.
 */

/** ESC, which starts every escape sequence (and is the Escape key). */
export const ESC = '\u001B';

/** `ESC [ params m`; the parameters are separated by `;`, or by `:` inside a 256/truecolour one. */
const SGR = new RegExp(`${ESC}\\[([0-9;:]*)m`, 'g');

/** The text without its SGR sequences: what a person sees. */
export const visible = (raw: string) => raw.replace(SGR, '');

/** Every SGR sequence in the text, with its parameters as numbers. */
export function sgrSequences(raw: string): { sequence: string; params: number[] }[] {
  return [...raw.matchAll(SGR)].map((m) => ({ sequence: m[0], params: m[1]!.split(/[;:]/).map(Number) }));
}

/** Regex source for the SGR sequence of one parameter: 1 bold, 7 inverse, 27 inverse off... */
export const sgrPattern = (param: number) => `${ESC}\\[${param}m`;
