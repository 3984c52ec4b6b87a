/** spoolctl init DIR [--group G] */
import { execFileSync } from 'node:child_process';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';

function gidOf(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  try {
    return Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);
  } catch {
    throw new UsageError(`Unknown group "${group}": create it first or pass a numeric gid.`);
  }
}

export function addInitCommand(program: Command): void {
  program
    .command('init')
    .argument('<dir>', 'directory to create or complete')
    .option('--group <group>', 'share the spool with a group: setgid directories, group-writable files')
    .description('create a spool layout and a commented spool.toml (safe to re-run)')
    .action(async (dir: string, opts: { group?: string }) => {
      const { initSpool } = await import('../../spool/init.js');
      const l = initSpool(dir, { gid: opts.group !== undefined ? gidOf(opts.group) : undefined });
      process.stdout.write(`spool ready at ${l.root}\n`);
    });
}
