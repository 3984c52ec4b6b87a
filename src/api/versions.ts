/**
 * What this spoolctl runs on: its own version, Node.js and the ABI its SQLite binding was
 * compiled for, and SQLite. Loaded for `--version` and the offline package only, since it
 * opens the native binding.
 */
import { sqliteVersion } from '../ledger/open.js';
import { VERSION } from '../version.js';

export interface RuntimeVersions {
  node: string;
  /** process.versions.modules: a native binding loads only under the ABI it was built for. */
  abi: string;
  platform: string;
  arch: string;
  sqlite: string;
}

/** build-info.json of an offline package: what its binding was compiled for (read by bin/spoolctl.js). */
export interface BuildInfo extends RuntimeVersions {
  spoolctl: string;
  built_at: string;
}

export function runtimeVersions(): RuntimeVersions {
  return { node: process.version, abi: process.versions.modules, platform: process.platform, arch: process.arch, sqlite: sqliteVersion() };
}

export function versionText(): string {
  const v = runtimeVersions();
  return `spoolctl ${VERSION}\nNode.js ${v.node} (ABI ${v.abi}, ${v.platform}-${v.arch})\nSQLite ${v.sqlite}\n`;
}
