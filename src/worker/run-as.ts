/**
 * Which user plugins run as. A worker running as root drops to worker.run_as for every
 * plugin; without one it says, once, that plugins run as root.
 */
import { execFileSync } from 'node:child_process';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';

export interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

function idOf(flag: '-u' | '-g', name: string): number {
  return Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
}

export function resolveRunAs(name: string, host: string, log: Logger): RunAs | undefined {
  const me = process.getuid?.();
  if (!name) {
    if (me === 0) log.warn('the worker runs as root, and so will its plugins: set worker.run_as to an unprivileged user');
    return undefined;
  }
  let uid: number;
  let gid: number;
  try {
    uid = idOf('-u', name);
    gid = idOf('-g', name);
  } catch {
    throw new ConfigError(`worker.run_as = "${name}": there is no such user on ${host}.`);
  }
  if (me !== 0 && me !== uid) {
    throw new ConfigError(
      `worker.run_as = "${name}" needs the worker to run as root (it runs as uid ${me}); run it as root or leave worker.run_as empty.`,
    );
  }
  return { name, uid, gid };
}
