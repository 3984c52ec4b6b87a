/**
 * `spoolctl __complete WORD…`: the candidates for the last word of a command line, read from
 * the commander definitions, so that a new command or option completes without edits here.
 * The shell scripts of `spoolctl completion` call it on every Tab. What it knows of values:
 * an option's choices, plugin names for --plugin, job ids for an argument named id or ids.
 * Nothing printed means "complete file names", which the scripts then do.
 */
import type { Command, Option } from 'commander';
import { subcommandNames } from './usage.js';

/** The options `cmd` accepts: its own and those of every command above it (--spool, -v…). */
function optionsOf(cmd: Command): Option[] {
  const all: Option[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) all.push(...c.options);
  return all;
}

function findOption(cmd: Command, word: string): Option | undefined {
  return optionsOf(cmd).find((o) => o.long === word || o.short === word);
}

interface Position {
  cmd: Command;
  /** The option whose value the last word is. */
  valueFor?: Option;
  /** How many arguments of `cmd` come before the last word. */
  operands: number;
  /** The --spool the line names, for the spool's plugins and jobs. */
  spool?: string;
}

function locate(program: Command, before: string[]): Position {
  const at: Position = { cmd: program, operands: 0 };
  let afterDashes = false;
  for (const word of before) {
    if (at.valueFor) {
      if (at.valueFor.long === '--spool') at.spool = word;
      at.valueFor = undefined;
    } else if (word === '--' && !afterDashes) {
      afterDashes = true;
    } else if (word.startsWith('-') && !afterDashes) {
      const [flag, inline] = word.split(/=(.*)/s) as [string, string | undefined];
      const opt = findOption(at.cmd, flag);
      if (inline !== undefined && opt?.long === '--spool') at.spool = inline;
      else if (opt && (opt.required || opt.optional) && inline === undefined) at.valueFor = opt;
    } else {
      const sub = at.operands === 0 ? at.cmd.commands.find((c) => c.name() === word || c.aliases().includes(word)) : undefined;
      if (sub) at.cmd = sub;
      else at.operands += 1;
    }
  }
  return at;
}

async function candidates(program: Command, words: string[]): Promise<string[]> {
  const cur = words.at(-1) ?? '';
  const at = locate(program, words.slice(0, -1));
  const spoolData = () => import('../api/completion.js');
  if (at.valueFor) {
    if (at.valueFor.argChoices) return at.valueFor.argChoices;
    if (at.valueFor.long === '--plugin') return (await spoolData()).pluginNames(at.spool);
    return [];
  }
  const options = () => optionsOf(at.cmd).flatMap((o) => (o.hidden || !o.long ? [] : [o.long]));
  if (cur.startsWith('-')) return options();
  const subs = subcommandNames(at.cmd);
  if (subs.length > 0 && at.operands === 0) return subs;
  const args = at.cmd.registeredArguments;
  const arg = args[Math.min(at.operands, args.length - 1)];
  if (!arg) return options();
  if (arg.argChoices) return arg.argChoices;
  if (arg.name() === 'id' || arg.name() === 'ids') return (await spoolData()).jobIds(at.spool);
  return [];
}

export async function printCompletions(program: Command, words: string[]): Promise<void> {
  const cur = words.at(-1) ?? '';
  const found = (await candidates(program, words)).filter((c) => c.startsWith(cur));
  process.stdout.write(found.map((c) => `${c}\n`).join(''));
}
