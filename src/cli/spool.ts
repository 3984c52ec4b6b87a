/**
 * The spool a command works on: the global --spool, else SPOOLCTL_SPOOL, else the nearest
 * parent holding spool.toml. src/api/spool.js is loaded only by the commands that open a
 * spool, when they run, so `--help` and the commands that never open one do not load the
 * configuration and ledger code.
 */
import type { Command } from 'commander';
import type { Spool } from '../api/spool.js';
import { spoolArgs } from './spool-args.js';

export async function spoolOf(cmd: Command): Promise<Spool> {
  const { openSpool } = await import('../api/spool.js');
  return openSpool(...spoolArgs(cmd));
}
