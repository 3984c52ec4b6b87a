/** Creates a spool's layout and a commented spool.toml. Safe to re-run: nothing is overwritten. */
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { errnoOf } from '../errors.js';
import { allDirs, layoutOf, type Layout } from './layout.js';

const SPOOL_TOML = `# spoolctl spool configuration, shared by every host that mounts this spool.
# Layers, lowest first: built-in defaults < /etc/spoolctl/config.toml
#   < ~/.config/spoolctl/config.toml < this file < SPOOLCTL_SECTION__KEY variables < flags.
# \`spoolctl config show --origin\` prints every effective value and where it came from.

[worker]
# Slots in use (hard cap 8).
# max_workers = 4
# A heartbeat older than this, by the file server's clock, marks a worker lost.
# stale_after_ms = 10000
# heartbeat_ms = 1000

[jobs]
# Attempts before a job goes to failed/ (a manifest or plugin may set its own).
# max_attempts = 3
# max_manifest_bytes = 1048576

[sentinel]
# Full rescan period; file-system events only speed things up.
# scan_interval_ms = 1000
# A slot may hold a second claim, queued behind a job expected to end within queue_behind_ms
# (its worker gives it back otherwise); claims_per_slot = 1 turns the queue off.
# claims_per_slot = 2
# queue_behind_ms = 1000

[ledger]
# Keep the ledger on local disk; SQLite is unsafe on NFS/SMB.
# path = ""
`;

export interface InitOptions {
  /** Share the spool with a group: setgid directories, group-writable files. */
  gid?: number;
}

export function initSpool(dir: string, opts: InitOptions = {}): Layout {
  const l = layoutOf(resolve(dir));
  const dirMode = opts.gid !== undefined ? 0o2770 : 0o755;
  mkdirSync(l.root, { recursive: true });
  for (const d of [l.root, ...allDirs(l)]) {
    mkdirSync(d, { recursive: true });
    if (opts.gid !== undefined) {
      chownSync(d, -1, opts.gid);
      chmodSync(d, dirMode);
    }
  }
  try {
    writeFileSync(l.config, SPOOL_TOML, { flag: 'wx' });
    if (opts.gid !== undefined) chmodSync(l.config, 0o660);
  } catch (err) {
    if (errnoOf(err) !== 'EEXIST') throw err;
  }
  return l;
}

/**
 * Creates the directories of the layout that the spool lacks; returns them.
 * Inside a group spool's setgid root they take its group, as `init --group` would give them.
 */
export function completeLayout(l: Layout): string[] {
  const missing = allDirs(l).filter((d) => !existsSync(d));
  for (const d of missing) mkdirSync(d, { recursive: true });
  return missing;
}
