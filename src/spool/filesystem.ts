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
};

const NETWORK = new Set(['nfs', 'smb', 'cifs', 'smb2', 'fuse']);

export interface FilesystemInfo {
  type: string;
  network: boolean;
}

export function filesystemOf(path: string): FilesystemInfo {
  try {
    const t = statfsSync(path).type;
    const type = MAGIC[t] ?? `0x${t.toString(16)}`;
    return { type, network: NETWORK.has(type) };
  } catch {
    return { type: 'unknown', network: false };
  }
}
