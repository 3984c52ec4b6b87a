/** What a command passes to openSpool and effectiveConfig from the global flags. */
import type { Command } from 'commander';
import type { SpoolOptions } from '../api/spool.js';
import type { GlobalOptions } from './main.js';

/** --spool, and --set as the top configuration layer: `openSpool(...spoolArgs(cmd))`. */
export function spoolArgs(cmd: Command): [flag: string | undefined, opts: SpoolOptions] {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  return [g.spool, { set: g.set ?? [] }];
}
