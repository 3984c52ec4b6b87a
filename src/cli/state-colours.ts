/**
 * How a job's state is coloured on a terminal. Apart from output.ts, so that chalk loads only for
 * a table that is coloured, not with every command.
 */
import { Chalk } from 'chalk';

const ink = new Chalk({ level: 1 });
const STATE_COLOURS: Record<string, (text: string) => string> = {
  pending: ink.blue,
  claimed: ink.yellow,
  done: ink.green,
  failed: ink.red,
  held: ink.cyan,
  cancelled: ink.magenta,
  rejected: ink.red,
  purged: ink.gray,
};

export function stateColour(state: string): ((text: string) => string) | undefined {
  return STATE_COLOURS[state];
}
