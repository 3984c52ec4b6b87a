/**
 * spoolctl.1, written from the commander definitions by `npm run build` (through the hidden
 * `spoolctl __manpage`), so that the page lists exactly the commands and options there are.
 */
import type { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { commandPath } from './usage.js';

/** Text as roff reads it literally: backslashes, hyphens, and a line that starts with a dot or quote. */
const esc = (text: string) =>
  text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^(?=[.'])/gm, '\\&');

const optionEntry = (o: Option) => `.TP\n.B ${esc(o.flags)}\n${esc(o.description)}\n`;

function commandSection(cmd: Command): string {
  const help = cmd.createHelp();
  const usage = `${commandPath(cmd)} ${cmd.usage()}`;
  const options = help.visibleOptions(cmd).filter((o) => o.long !== '--help');
  const here = `.SS "${esc(usage)}"\n${esc(cmd.description())}\n${options.map(optionEntry).join('')}`;
  return (
    here +
    help
      .visibleCommands(cmd)
      .filter((c) => c.name() !== 'help')
      .map(commandSection)
      .join('')
  );
}

export function manPage(program: Command): string {
  const help = program.createHelp();
  const globals = help.visibleOptions(program).filter((o) => o.long !== '--help');
  const commands = help
    .visibleCommands(program)
    .filter((c) => c.name() !== 'help')
    .map(commandSection);
  return `.TH SPOOLCTL 1 "" "spoolctl ${VERSION}" "User Commands"
.SH NAME
spoolctl \\- ${esc(program.description().replace(/^./, (c) => c.toLowerCase()))}
.SH SYNOPSIS
.B spoolctl
[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]
.SH DESCRIPTION
Producers drop JSON manifests into \\fIpending/\\fR of a spool on a shared filesystem; one
sentinel hands them to worker slots; every transition is written to a hash\\-chained audit
ledger. \\fBspoolctl \\fIcommand\\fB \\-\\-help\\fR describes each command; this page lists them all.
.SH GLOBAL OPTIONS
${globals.map(optionEntry).join('')}.SH COMMANDS
${commands.join('')}.SH EXIT STATUS
0 success, 1 failure, 2 usage error (one line on stderr naming the mistake).
.SH ENVIRONMENT
.TP
.B SPOOLCTL_SPOOL
the spool, when \\fB\\-\\-spool\\fR is not given (else the nearest parent directory with \\fIspool.toml\\fR)
.TP
.B SPOOLCTL_\\fISECTION\\fB__\\fIKEY\\fR
a configuration key, above the configuration files and below \\fB\\-\\-set\\fR
.SH FILES
.TP
.I /etc/spoolctl/config.toml, ~/.config/spoolctl/config.toml, <spool>/spool.toml
configuration layers, lowest first
.SH SEE ALSO
The README and spool\\-layout.md shipped with spoolctl; \\fBspoolctl completion\\fR for shell completion.
`;
}
