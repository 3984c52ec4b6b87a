// Network filesystems known by statfs magic, and the doctor's NFS locking and lookup-cache rules.
import { describe, expect, it } from 'vitest';
import { mountProblems } from '../../src/doctor/mount-rules.js';
import { parseMountinfo, type Mount } from '../../src/doctor/mounts.js';
import { filesystemOfMagic } from '../../src/spool/filesystem.js';

function mount(type: string, options: string): Mount {
  return parseMountinfo(`1 1 0:1 / /mnt/spool rw - ${type} src ${options}`)[0]!;
}
const problems = (m: Mount, staleAfterMs = 10_000) => mountProblems(m, staleAfterMs);

describe('statfs magic numbers', () => {
  it('names ceph, 9p, lustre, afs and gpfs as network filesystems', () => {
    const cases: [number, string][] = [
      [0x00c36400, 'ceph'],
      [0x01021997, '9p'],
      [0x0bd00bd0, 'lustre'],
      [0x5346414f, 'afs'],
      [0x6b414653, 'afs'],
      [0x47504653, 'gpfs'],
      [0x6969, 'nfs'],
      [0x65735546, 'fuse'],
    ];
    for (const [magic, type] of cases) expect(filesystemOfMagic(magic), type).toEqual({ type, network: true });
  });

  it('keeps local filesystems local, and shows an unknown magic in hex', () => {
    expect(filesystemOfMagic(0xef53)).toEqual({ type: 'ext4', network: false });
    expect(filesystemOfMagic(0x01021994)).toEqual({ type: 'tmpfs', network: false });
    expect(filesystemOfMagic(0x1234)).toEqual({ type: '0x1234', network: false });
  });
});

describe('NFS locking and lookup-cache rules', () => {
  it('warns on nolock and on local locks, with the fix', () => {
    const [nolock, ...rest] = problems(mount('nfs', 'rw,hard,nolock,actimeo=1,local_lock=all'));
    expect(rest).toEqual([]);
    expect(nolock).toMatchObject({ status: 'warn', problem: expect.stringContaining('nolock') });
    expect(nolock!.fix).toContain('without `nolock`');
    for (const ll of ['posix', 'flock']) {
      expect(problems(mount('nfs4', `rw,hard,actimeo=1,local_lock=${ll}`)).map((f) => f.problem)).toEqual([
        expect.stringContaining(`local_lock=${ll}`),
      ]);
    }
    expect(problems(mount('nfs4', 'rw,hard,actimeo=1,local_lock=none'))).toEqual([]);
    // Not an NFS option elsewhere.
    expect(problems(mount('cifs', 'rw,nolock,actimeo=1'))).toEqual([]);
  });

  it('warns when lookupcache=all trusts names longer than half the stale limit, with the fix', () => {
    const byDefault = problems(mount('nfs4', 'rw,hard'), 10_000).find((f) => f.problem.includes('lookupcache'));
    expect(byDefault).toMatchObject({ status: 'warn', problem: expect.stringContaining('60s') });
    expect(byDefault!.fix).toContain('lookupcache=none');
    expect(
      problems(mount('nfs4', 'rw,hard,acdirmax=30,lookupcache=all'), 10_000).some(
        (f) => f.problem.includes('lookupcache=all') && f.problem.includes('30s'),
      ),
    ).toBe(true);
    for (const opts of ['rw,hard,lookupcache=none', 'rw,hard,lookupcache=positive', 'rw,hard,lookupcache=pos']) {
      expect(
        problems(mount('nfs4', opts), 10_000).some((f) => f.problem.includes('lookupcache')),
        opts,
      ).toBe(false);
    }
    // Short directory caching, noac, or a stale limit long enough: no warning.
    expect(problems(mount('nfs4', 'rw,hard,acregmax=1,acdirmax=1'), 10_000)).toEqual([]);
    expect(problems(mount('nfs4', 'rw,hard,noac'), 10_000)).toEqual([]);
    expect(problems(mount('nfs4', 'rw,hard'), 200_000)).toEqual([]);
  });
});
