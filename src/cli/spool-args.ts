/** What a command passes to openSpool and effectiveConfig from the global flags. */
import type { Command } from 'commander';
import type { SpoolOptions } from '../api/spool.js';
import type { GlobalOptions } from './main.js';

/** The commands that show several spools together; every other one works on one. */
const SEVERAL_SPOOLS = new Set(['status', 'tui']);

/** Every --spool given, in order. */
export function spoolFlags(cmd: Command): string[] {
  return cmd.optsWithGlobals<GlobalOptions>().spool ?? [];
}

/** The one --spool of a command that takes one (refuseSeveralSpools has made sure). */
export function spoolFlag(cmd: Command): string | undefined {
  return spoolFlags(cmd)[0];
}

/** A usage error, before the command runs, when a command that works on one spool is given several. */
export function refuseSeveralSpools(cmd: Command): void {
  const topLevel = cmd.parent !== null && cmd.parent.parent === null;
  if (spoolFlags(cmd).length > 1 && !(topLevel && SEVERAL_SPOOLS.has(cmd.name())))
    cmd.error('--spool can be given once for this command; only status and tui take several', { exitCode: 2, code: 'spoolctl.usage' });
}

/** --spool, and --set as the top configuration layer: `openSpool(...spoolArgs(cmd))`. */
export function spoolArgs(cmd: Command): [flag: string | undefined, opts: SpoolOptions] {
  return [spoolFlag(cmd), { set: cmd.optsWithGlobals<GlobalOptions>().set ?? [] }];
}
