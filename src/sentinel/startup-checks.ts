/** What the sentinel checks and says about its spool before it takes the lock. */
import { statSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { filesystemOf } from '../spool/filesystem.js';
import type { Layout } from '../spool/layout.js';

/** inotify sees only this host's changes on a network filesystem: say who finds the rest. */
export function noteFilesystem(l: Layout, cfg: LoadedConfig['config'], log: Logger): void {
  const fs = filesystemOf(l.root);
  if (fs.network) {
    log.info(
      `the spool is on a network filesystem (${fs.type}): other hosts' changes are found by the scan every ${cfg.sentinel.scan_interval_ms} ms`,
      { filesystem: fs.type },
    );
  }
}

/** A world-writable spool lets anyone drop, alter or delete jobs: refuse to run on it. */
export function refuseWorldWritable(l: Layout): void {
  for (const dir of [l.root, l.pending, l.control, l.claimed, l.results]) {
    const mode = statSync(dir).mode;
    if (mode & 0o002) {
      throw new ConfigError(
        `${dir} is world-writable (mode ${(mode & 0o7777).toString(8)}): anyone could add, alter or remove jobs. Run \`chmod o-w ${dir}\`, or share the spool with a group (\`spoolctl init --group G\`).`,
      );
    }
  }
}
