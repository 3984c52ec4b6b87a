/**
 * A real network filesystem on this machine: sshd on 127.0.0.1 with throwaway keys serves an
 * export directory, mounted twice with sshfs as two "hosts" (each process gets its own
 * SPOOLCTL_HOST). Neither mount sees the other's changes through inotify, and both cache
 * attributes and directory entries for a second, like an NFS mount with actimeo=1:
 *   dir_cache=yes, dcache_timeout=1   sshfs's own listing and stat cache
 *   attr_timeout=1, entry_timeout=1   the kernel's FUSE attribute and lookup caches
 *   reconnect, ServerAliveInterval=5  what a mount that must survive a flaky link uses
 * When the mount cannot be made, mountNas throws: this suite fails loudly, it never skips.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Nas {
  root: string;
  /** The export as the "file server" holds it. */
  exportDir: string;
  /** The export as mounted on host A and on host B. */
  hostA: string;
  hostB: string;
  unmount(): void;
}

const SSHFS_OPTIONS = [
  'StrictHostKeyChecking=no',
  'UserKnownHostsFile=/dev/null',
  'LogLevel=ERROR',
  'reconnect',
  'ServerAliveInterval=5',
  'dir_cache=yes',
  'dcache_timeout=1',
  'attr_timeout=1',
  'entry_timeout=1',
];

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `NAS harness: \`${cmd} ${args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr} — .ci/run installs openssh-server and sshfs`,
    );
  }
  return r.stdout;
}

export function mountNas(): Nas {
  const root = mkdtempSync(join(tmpdir(), 'spoolctl-nas-'));
  const exportDir = join(root, 'export');
  const hostA = join(root, 'host-a');
  const hostB = join(root, 'host-b');
  for (const d of [exportDir, hostA, hostB]) mkdirSync(d);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(root, 'host_key')]);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(root, 'user_key')]);
  writeFileSync(join(root, 'authorized_keys'), readFileSync(join(root, 'user_key.pub')), { mode: 0o600 });
  const port = 20_000 + (process.pid % 20_000);
  writeFileSync(
    join(root, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(root, 'host_key')}`,
      `AuthorizedKeysFile ${join(root, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${join(root, 'sshd.pid')}`,
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });
  run('/usr/sbin/sshd', ['-f', join(root, 'sshd_config'), '-E', join(root, 'sshd.log')]);
  const mounted: string[] = [];
  const unmount = () => {
    for (const m of mounted.splice(0)) spawnSync('fusermount', ['-u', '-z', m]);
    try {
      process.kill(Number(readFileSync(join(root, 'sshd.pid'), 'utf8')), 'SIGTERM');
    } catch {
      // sshd never started, or is gone
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const at of [hostA, hostB]) {
      run('sshfs', [
        '-p',
        String(port),
        '-o',
        [`IdentityFile=${join(root, 'user_key')}`, ...SSHFS_OPTIONS].join(','),
        `root@127.0.0.1:${exportDir}`,
        at,
      ]);
      mounted.push(at);
      const type = run('stat', ['-f', '-c', '%T', at]).trim();
      if (!/fuse/.test(type)) throw new Error(`NAS harness: ${at} is ${type} after sshfs, not a FUSE mount`);
    }
  } catch (err) {
    unmount();
    throw err;
  }
  return { root, exportDir, hostA, hostB, unmount };
}
