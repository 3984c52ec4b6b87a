/** spoolctl completion SHELL, and the hidden commands behind it and the man page. */
import { Argument, Command } from 'commander';
import { SHELLS, completionScript, type Shell } from '../completion-scripts.js';

export function addCompletionCommands(program: Command): void {
  program
    .command('completion')
    .description(
      'print the shell completion script for bash, zsh or fish: commands, options, plugin names and job ids (`source <(spoolctl completion bash)`)',
    )
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .action((shell: Shell) => {
      process.stdout.write(completionScript(shell));
    });
  program.addCommand(
    new Command('__complete')
      .description('the candidates for the last of WORDS, one a line: what the completion scripts call')
      .argument('[words...]', 'the words after `spoolctl`, the one being completed last')
      .action(async (words: string[]) => {
        const { printCompletions } = await import('../complete.js');
        await printCompletions(program, words);
      }),
    { hidden: true },
  );
  program.addCommand(
    new Command('__manpage').description('print spoolctl.1, written from these definitions').action(async () => {
      const { manPage } = await import('../man-page.js');
      process.stdout.write(manPage(program));
    }),
    { hidden: true },
  );
}
