/**
 * Usage errors, for every command: one line on stderr naming the mistake and where help is,
 * exit 2. commander's default prints the whole help after the error, which scrolls the one
 * line that matters off a small terminal.
 */
import type { Command, HelpContext } from 'commander';

/** "spoolctl jobs show": how a person types the command. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The commands under `cmd` that its help lists, without `help` itself. */
export function subcommandNames(cmd: Command): string[] {
  return cmd
    .createHelp()
    .visibleCommands(cmd)
    .map((c) => c.name())
    .filter((n) => n !== 'help');
}

/** commander's "error: unknown command 'x'\n(Did you mean y?)\n" as one clause without the final stop. */
function oneLine(message: string): string {
  return message
    .trim()
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '');
}

/**
 * An argument that starts with '-' (a producer may name a job "-abc") reads as an unknown
 * option: name the way to pass it, for the commands that take arguments.
 */
function dashHint(cmd: Command, message: string): string {
  const dashed = /unknown option '(-[^-][^']*)'/.exec(message)?.[1];
  const arg = cmd.registeredArguments[0]?.name();
  if (!dashed || !arg) return '';
  const plural = arg.endsWith('s') ? arg : `${arg}s`;
  return ` ${plural[0]!.toUpperCase()}${plural.slice(1)} that start with '-' go after '--': ${commandPath(cmd)} -- ${dashed}.`;
}

/** Applies to `program` and every command under it: call once all commands are added. */
export function oneLineUsageErrors(program: Command): void {
  const visit = (cmd: Command) => {
    const where = commandPath(cmd);
    const fail = (what: string): never => cmd.error(what, { exitCode: 2, code: 'spoolctl.usage' });
    cmd
      .showHelpAfterError(false)
      .exitOverride()
      .configureOutput({
        outputError: (message, write) => write(`spoolctl: ${oneLine(message)}.${dashHint(cmd, message)} See '${where} --help'.\n`),
      });
    if (cmd.commands.length > 0) {
      // commander shows the full help, as an error, when a command group is given no command
      // or `help` an unknown one: those are usage errors like any other.
      const help = cmd.help.bind(cmd);
      cmd.help = ((context?: HelpContext) => {
        if (!context?.error) return help(context);
        if (cmd.args[0] === 'help' && cmd.args[1] !== undefined) return fail(`unknown command '${cmd.args[1]}'`);
        return fail(cmd.parent ? `missing command (${subcommandNames(cmd).join(', ')})` : 'missing command');
      }) as Command['help'];
    }
    cmd.commands.forEach(visit);
  };
  visit(program);
}
