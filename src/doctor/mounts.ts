/**
 * The mount table and the mount that holds a path. statfs names a filesystem type but not
 * its mount options, and the options (caching, soft, read-only) are what decide whether a
 * network mount is safe for a spool; /proc/self/mountinfo has both.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';

export interface Mount {
  mountPoint: string;
  type: string;
  source: string;
  /** The per-mount and the filesystem's own options together; flags map to undefined. */
  options: Map<string, string | undefined>;
}

/** Mount tables escape space, tab, newline and backslash as octal (\040). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function parseOptions(...lists: string[]): Map<string, string | undefined> {
  const options = new Map<string, string | undefined>();
  for (const list of lists) {
    for (const item of list.split(',')) {
      if (!item) continue;
      const eq = item.indexOf('=');
      if (eq < 0) options.set(item, undefined);
      else options.set(item.slice(0, eq), item.slice(eq + 1));
    }
  }
  return options;
}

/**
 * /proc/self/mountinfo: `id parent major:minor root mount-point per-mount-options
 * [optional fields...] - type source super-options` (proc(5)).
 */
export function parseMountinfo(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3) continue;
    out.push({
      mountPoint: unescape(fields[4]!),
      type: fields[dash + 1]!,
      source: unescape(fields[dash + 2]!),
      options: parseOptions(fields[5]!, fields[dash + 3] ?? ''),
    });
  }
  return out;
}

/** /proc/mounts (fstab format), for kernels or sandboxes without mountinfo. */
export function parseProcMounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const [source, mountPoint, type, options] = line.split(' ');
    if (!source || !mountPoint || !type || options === undefined) continue;
    out.push({ mountPoint: unescape(mountPoint), type, source: unescape(source), options: parseOptions(options) });
  }
  return out;
}

/** This process's mount table, or undefined when /proc cannot be read. */
export function readMounts(): Mount[] | undefined {
  try {
    return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    try {
      return parseProcMounts(readFileSync('/proc/mounts', 'utf8'));
    } catch {
      return undefined;
    }
  }
}

/**
 * The mount holding `realPath` (already resolved through symlinks): the longest mount point
 * that is a prefix of it; of mounts stacked on one point, the last is the visible one.
 */
export function mountOf(mounts: Mount[], realPath: string): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    const holds = m.mountPoint === '/' || realPath === m.mountPoint || realPath.startsWith(`${m.mountPoint}/`);
    if (holds && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

const NETWORK_TYPES = /^(nfs\d?|cifs|smb\d?|smbfs|ceph|glusterfs|lustre|afs|9p|gpfs|beegfs|fuse\.(sshfs|glusterfs|ceph-fuse|s3fs|rclone))$/;

export function isNetworkType(type: string): boolean {
  return NETWORK_TYPES.test(type);
}

export function isNfs(type: string): boolean {
  return /^nfs\d?$/.test(type);
}

export function isSmb(type: string): boolean {
  return /^(cifs|smb\d?|smbfs)$/.test(type);
}

/**
 * Whether the ext4 filesystem on device `source` runs a journal: jbd2 lists each journal it
 * runs in /proc/fs/jbd2 as <device>-<journal inode>. Undefined when that cannot be told (no
 * such listing, or a source that is not a device node).
 */
export function ext4HasJournal(source: string, jbd2Dir = '/proc/fs/jbd2'): boolean | undefined {
  try {
    const device = basename(realpathSync(source));
    return readdirSync(jbd2Dir).some((n) => n.startsWith(`${device}-`));
  } catch {
    return undefined;
  }
}
