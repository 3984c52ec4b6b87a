/**
 * Where the spool and the ledger live: the filesystem and its mount options, the ledger kept
 * off network filesystems (SQLite's locks and WAL are unsafe there), and the free space and
 * inodes on each.
 *
 * Free space: WARN below 5% or 100 MiB, FAIL below 1% or 10 MiB (whichever comes first).
 * Inodes, where the filesystem counts them, the same with 1000 and 100: a spool of small
 * files can run out of inodes with gigabytes free.
 */
import { existsSync, realpathSync, statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostId } from '../config/identity.js';
import { filesystemOf } from '../spool/filesystem.js';
import type { SentinelStatus } from '../api/status.js';
import { ledgerPath, type Spool } from '../api/spool.js';
import { pass, worst, type Check, type CheckStatus } from './check.js';
import { mountProblems } from './mount-rules.js';
import { ext4HasJournal, isNetworkType, mountOf, readMounts, type Mount } from './mounts.js';

const MiB = 1024 * 1024;

/** The path itself or its nearest existing parent: a ledger.path whose directory is not made yet. */
function existingAncestor(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

interface Place {
  mount: Mount | undefined;
  type: string;
  network: boolean;
}

function placeOf(path: string): Place {
  const real = realpathSync(existingAncestor(path));
  const mounts = readMounts();
  const mount = mounts && mountOf(mounts, real);
  // The sentinel decides by statfs (it refuses a network ledger); the mount table names more types.
  const byStatfs = filesystemOf(real);
  return { mount, type: mount?.type ?? byStatfs.type, network: byStatfs.network || (mount !== undefined && isNetworkType(mount.type)) };
}

function describePlace(p: Place): string {
  const where = p.mount ? ` ${p.mount.source} at ${p.mount.mountPoint}` : '';
  return `${p.type}${where} (${p.network ? 'network' : 'local'} filesystem)`;
}

export function checkSpoolFilesystem(s: Spool): Check {
  const name = 'filesystem';
  const place = placeOf(s.l.root);
  if (!place.mount) {
    return {
      name,
      status: 'warn',
      detail: `${describePlace(place)}; the mount table could not be read, so its options were not checked`,
      fix: 'run doctor where /proc is mounted, so the mount options can be checked.',
    };
  }
  const journal = place.mount.type === 'ext4' ? ext4HasJournal(place.mount.source) : undefined;
  const findings = mountProblems(place.mount, s.loaded.config.worker.stale_after_ms, journal);
  if (findings.length === 0) return pass(name, describePlace(place));
  return {
    name,
    status: worst(findings.map((f) => f.status)),
    detail: `${describePlace(place)}: ${findings.map((f) => f.problem).join('; ')}`,
    fix: `${findings.map((f) => f.fix).join('; ')}.`,
  };
}

export function checkLedgerLocation(s: Spool, sentinel: SentinelStatus): Check {
  const name = 'ledger-location';
  const path = ledgerPath(s);
  const place = placeOf(dirname(path));
  if (place.network) {
    if (sentinel.up && sentinel.host !== hostId()) {
      return {
        name,
        status: 'warn',
        detail: `this host's configuration puts the ledger at ${path}, on ${describePlace(place)}; the sentinel on ${sentinel.host} keeps its own`,
        fix: "before starting a sentinel on this host, set ledger.path to a file on one of this host's local disks.",
      };
    }
    return {
      name,
      status: 'fail',
      detail: `the ledger ${path} is on ${describePlace(place)}, where SQLite's locking and WAL are unsafe`,
      fix: "set ledger.path to a file on a local disk of the sentinel's host (the sentinel refuses a network ledger).",
    };
  }
  if (place.mount?.options.has('ro')) {
    return {
      name,
      status: 'fail',
      detail: `the ledger ${path} is on a read-only mount (${describePlace(place)})`,
      fix: `remount ${place.mount.mountPoint} read-write, or set ledger.path to a writable local disk.`,
    };
  }
  return pass(name, `${path} on ${describePlace(place)}`);
}

function judgeFree(free: number, total: number, warnAbs: number, failAbs: number): CheckStatus {
  const share = total > 0 ? free / total : 1;
  if (share < 0.01 || free < failAbs) return 'fail';
  if (share < 0.05 || free < warnAbs) return 'warn';
  return 'pass';
}

const INODES_WARN = 1000;
const INODES_FAIL = 100;

function diskOf(name: string, what: string, path: string): Check {
  const st = statfsSync(existingAncestor(path));
  const free = st.bavail * st.bsize;
  const total = st.blocks * st.bsize;
  const bytes = judgeFree(free, total, 100 * MiB, 10 * MiB);
  // Filesystems that allocate inodes on demand (btrfs, some FUSE) report 0 in total.
  const inodes = st.files > 0 ? judgeFree(st.ffree, st.files, INODES_WARN, INODES_FAIL) : 'pass';
  const pct = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(1)}%` : '-');
  const detail = `${what}: ${(free / MiB).toFixed(0)} MiB free of ${(total / MiB).toFixed(0)} MiB (${pct(free, total)})${st.files > 0 ? `, ${st.ffree} of ${st.files} inodes free (${pct(st.ffree, st.files)})` : ''}`;
  const status = worst([bytes, inodes]);
  if (status === 'pass') return pass(name, detail);
  return { name, status, detail, fix: `free space or inodes on the filesystem holding ${path}, or grow it.` };
}

export function checkSpoolDisk(s: Spool): Check {
  return diskOf('disk-spool', 'spool', s.l.root);
}

export function checkLedgerDisk(s: Spool): Check {
  const dir = existingAncestor(dirname(ledgerPath(s)));
  if (statSync(dir).dev === statSync(s.l.root).dev) return pass('disk-ledger', "on the spool's filesystem (see disk-spool)");
  return diskOf('disk-ledger', 'ledger', dir);
}
