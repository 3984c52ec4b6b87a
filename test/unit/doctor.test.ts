// The pure parts of `spoolctl doctor`: reading the mount table, finding a path's mount, the
// mount-option rules, and judging clock skew.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attributeCacheSeconds, mountProblems } from '../../src/doctor/mount-rules.js';
import { ext4HasJournal, isNetworkType, mountOf, parseMountinfo, parseProcMounts, type Mount } from '../../src/doctor/mounts.js';
import { judgeSkew, skewMs } from '../../src/doctor/probe.js';
import { fromFindings, worst } from '../../src/doctor/check.js';

const MOUNTINFO = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard',
  '42 27 0:39 / /mnt/spool rw,nosuid,nodev,relatime shared:7 master:1 - nfs4 nas:/export/spool rw,vers=4.2,rsize=1048576,hard,proto=tcp,timeo=600,addr=10.0.0.5',
  '43 27 0:40 / /mnt/my\\040share ro,relatime - cifs //fs/share rw,vers=3.1.1,cache=loose,actimeo=1',
  '44 27 0:41 / /mnt/sp rw - tmpfs tmpfs rw,size=1024k',
  '',
].join('\n');

function mount(type: string, options: string, mountPoint = '/mnt/spool'): Mount {
  return parseMountinfo(`1 1 0:1 / ${mountPoint} rw - ${type} src ${options}`)[0]!;
}

describe('mount table', () => {
  it('parses mountinfo: optional fields, escaped names, per-mount and filesystem options together', () => {
    const [root, nfs, cifs] = parseMountinfo(MOUNTINFO);
    expect(root).toMatchObject({ mountPoint: '/', type: 'ext4', source: '/dev/vda' });
    expect(nfs).toMatchObject({ mountPoint: '/mnt/spool', type: 'nfs4', source: 'nas:/export/spool' });
    expect(nfs!.options.get('vers')).toBe('4.2');
    expect(nfs!.options.has('hard')).toBe(true);
    expect(nfs!.options.has('nosuid')).toBe(true);
    expect(cifs!.mountPoint).toBe('/mnt/my share');
    expect(cifs!.options.has('ro')).toBe(true);
    expect(cifs!.options.get('cache')).toBe('loose');
  });

  it('parses /proc/mounts', () => {
    const [m] = parseProcMounts('nas:/export /mnt/spool nfs rw,soft,acdirmax=5 0 0\n');
    expect(m).toMatchObject({ mountPoint: '/mnt/spool', type: 'nfs', source: 'nas:/export' });
    expect(m!.options.has('soft')).toBe(true);
    expect(m!.options.get('acdirmax')).toBe('5');
  });

  it('finds the longest mount point that holds a path, never a mere string prefix', () => {
    const mounts = parseMountinfo(MOUNTINFO);
    expect(mountOf(mounts, '/mnt/spool/pending')?.type).toBe('nfs4');
    expect(mountOf(mounts, '/mnt/spool')?.type).toBe('nfs4');
    expect(mountOf(mounts, '/mnt/spool2/x')?.type).toBe('ext4');
    expect(mountOf(mounts, '/mnt/sp')?.type).toBe('tmpfs');
    expect(mountOf(mounts, '/mnt/my share/q')?.type).toBe('cifs');
    expect(mountOf(mounts, '/home')?.type).toBe('ext4');
  });

  it('takes the last of mounts stacked on one point: it is the one visible', () => {
    const mounts = parseMountinfo(`${MOUNTINFO}50 42 0:50 / /mnt/spool rw - xfs /dev/sdb rw\n`);
    expect(mountOf(mounts, '/mnt/spool/x')?.type).toBe('xfs');
  });

  it('knows network filesystems by type', () => {
    for (const t of ['nfs', 'nfs4', 'cifs', 'smb3', 'fuse.sshfs', 'ceph', '9p']) expect(isNetworkType(t), t).toBe(true);
    for (const t of ['ext4', 'xfs', 'tmpfs', 'overlay', 'fuse.lxcfs', 'btrfs']) expect(isNetworkType(t), t).toBe(false);
  });
});

describe('mount-option rules', () => {
  const problems = (m: Mount, staleAfterMs = 10_000) => mountProblems(m, staleAfterMs).map((f) => [f.status, f.problem]);

  it('passes a local filesystem and an NFS mount with short attribute caching', () => {
    expect(problems(mount('ext4', 'rw,relatime'))).toEqual([]);
    expect(problems(mount('nfs4', 'rw,hard,acregmin=1,acregmax=1,acdirmin=1,acdirmax=1'))).toEqual([]);
    expect(problems(mount('nfs', 'rw,hard,noac'))).toEqual([]);
    expect(problems(mount('cifs', 'rw,cache=strict,actimeo=1'))).toEqual([]);
  });

  it('fails a read-only mount, whatever its type', () => {
    expect(problems(mount('ext4', 'ro'))).toEqual([['fail', 'mounted read-only']]);
    expect(mountProblems(mount('ext4', 'ro', '/srv/spool'), 10_000)[0]!.fix).toContain('mount -o remount,rw /srv/spool');
  });

  it('warns on a soft NFS mount', () => {
    expect(problems(mount('nfs4', 'rw,soft,actimeo=1'))).toEqual([['warn', expect.stringContaining('soft NFS mount')]]);
    expect(problems(mount('nfs4', 'rw,softerr,actimeo=1'))).toHaveLength(1);
    // SMB mounts are soft by default and fail loudly instead; not flagged.
    expect(problems(mount('cifs', 'rw,soft'))).toEqual([]);
  });

  it('warns when attribute caching outlasts half of worker.stale_after_ms, defaults included', () => {
    expect(attributeCacheSeconds(mount('nfs4', 'rw,hard'))).toBe(60);
    expect(attributeCacheSeconds(mount('nfs4', 'rw,actimeo=3'))).toBe(3);
    expect(attributeCacheSeconds(mount('nfs4', 'rw,acregmax=2,acdirmax=30'))).toBe(30);
    expect(attributeCacheSeconds(mount('cifs', 'rw'))).toBe(1);
    expect(attributeCacheSeconds(mount('ext4', 'rw'))).toBeUndefined();
    const [finding] = mountProblems(mount('nfs4', 'rw,hard'), 10_000);
    expect(finding).toMatchObject({ status: 'warn', problem: expect.stringContaining('cached up to 60s') });
    expect(finding!.fix).toContain('actimeo=1');
    expect(finding!.fix).toContain('120000');
    expect(problems(mount('nfs4', 'rw,hard'), 200_000)).toEqual([]);
    expect(problems(mount('cifs', 'rw,actimeo=10'))).toEqual([['warn', expect.stringContaining('cached up to 10s')]]);
  });

  it('warns on ext4 without a journal, and only when that is known', () => {
    const ext4 = mount('ext4', 'rw,relatime');
    const [finding] = mountProblems(ext4, 10_000, false);
    expect(finding).toMatchObject({ status: 'warn', problem: expect.stringContaining('ext4 without a journal') });
    expect(finding!.fix).toContain('tune2fs -O has_journal src');
    expect(mountProblems(ext4, 10_000, true)).toEqual([]);
    expect(mountProblems(ext4, 10_000)).toEqual([]);
    expect(mountProblems(mount('xfs', 'rw'), 10_000, false)).toEqual([]);
  });

  it('tells a journal by the device jbd2 lists, following the device link', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spoolctl-jbd2-'));
    try {
      const jbd2 = join(dir, 'jbd2');
      mkdirSync(jbd2);
      mkdirSync(join(jbd2, 'vda-8'));
      mkdirSync(join(jbd2, 'dm-0-8'));
      for (const dev of ['vda', 'vdb', 'dm-0', 'vda1']) writeFileSync(join(dir, dev), '');
      symlinkSync(join(dir, 'dm-0'), join(dir, 'vg-root'));
      expect(ext4HasJournal(join(dir, 'vda'), jbd2)).toBe(true);
      expect(ext4HasJournal(join(dir, 'vg-root'), jbd2)).toBe(true);
      expect(ext4HasJournal(join(dir, 'vdb'), jbd2)).toBe(false);
      expect(ext4HasJournal(join(dir, 'vda1'), jbd2)).toBe(false);
      expect(ext4HasJournal('/dev/root-that-is-not-here', jbd2)).toBeUndefined();
      expect(ext4HasJournal(join(dir, 'vda'), join(dir, 'no-jbd2'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns on SMB caching that ignores the server', () => {
    expect(problems(mount('cifs', 'rw,cache=loose'))).toEqual([['warn', expect.stringContaining('cache=loose')]]);
    expect(problems(mount('smb3', 'rw,cache=ro'))).toEqual([['warn', expect.stringContaining('cache=ro')]]);
    expect(problems(mount('cifs', 'rw,cache=none'))).toEqual([]);
  });
});

describe('clock skew', () => {
  it('counts an mtime inside the write window as no skew, and the distance to it otherwise', () => {
    expect(skewMs(1500, 1000, 2000)).toBe(0);
    expect(skewMs(5000, 1000, 2000)).toBe(3000);
    expect(skewMs(400, 1000, 2000)).toBe(-600);
  });

  it('warns above a second and fails above half the stale limit', () => {
    expect(judgeSkew(900, 10_000)).toBe('pass');
    expect(judgeSkew(-1500, 10_000)).toBe('warn');
    expect(judgeSkew(5001, 10_000)).toBe('fail');
    expect(judgeSkew(-6000, 10_000)).toBe('fail');
  });
});

describe('check results', () => {
  it('reports the worst finding, each problem named, or a pass', () => {
    expect(worst(['pass', 'warn', 'pass'])).toBe('warn');
    expect(worst(['warn', 'fail'])).toBe('fail');
    expect(fromFindings('x', [], 'all good', 'fix it')).toEqual({ name: 'x', status: 'pass', detail: 'all good' });
    expect(
      fromFindings(
        'x',
        [
          { status: 'warn', problem: 'a' },
          { status: 'fail', problem: 'b' },
        ],
        'all good',
        'fix it',
      ),
    ).toEqual({ name: 'x', status: 'fail', detail: 'a; b', fix: 'fix it' });
  });
});
