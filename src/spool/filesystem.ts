/** The filesystem a spool lives on, by statfs magic number. */
import { statfsSync } from 'node:fs';

const MAGIC: Record<number, string> = {
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlayfs',
  0x2fc12fc1: 'zfs',
  0x6969: 'nfs',
  0x517b: 'smb',
  0xff534d42: 'cifs',
  0xfe534d42: 'smb2',
  0x65735546: 'fuse',
  0x4244: 'hfs',
  0x00c36400: 'ceph',
  0x01021997: '9p',
  0x0bd00bd0: 'lustre',
  0x5346414f: 'afs',
  0x6b414653: 'afs',
  0x47504653: 'gpfs',
};

/** Shared by several hosts (or FUSE, which may be): scan, keep the ledger off it, judge by the server's clock. */
const NETWORK = new Set(['nfs', 'smb', 'cifs', 'smb2', 'fuse', 'ceph', '9p', 'lustre', 'afs', 'gpfs']);

export interface FilesystemInfo {
  type: string;
  network: boolean;
}

/** The name and kind of a statfs magic number. */
export function filesystemOfMagic(t: number): FilesystemInfo {
  const type = MAGIC[t] ?? `0x${t.toString(16)}`;
  return { type, network: NETWORK.has(type) };
}

export function filesystemOf(path: string): FilesystemInfo {
  try {
    return filesystemOfMagic(statfsSync(path).type);
  } catch {
    return { type: 'unknown', network: false };
  }
}
