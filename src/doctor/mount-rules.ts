/**
 * Mount options known to hurt a spool. Few rules, each for a failure spoolctl cannot work
 * around:
 * - read-only: nothing can be published, claimed or recorded.
 * - NFS `soft`/`softerr`: a slow server turns writes into EIO, and nfs(5) warns of silent
 *   data corruption; `hard` waits instead.
 * - attribute caching (NFS actimeo/ac*max, default 60 s; SMB actimeo, default 1 s): another
 *   host's rename or heartbeat stays unseen until the cache expires, and directory listings
 *   and negative lookups with it. Longer than half of worker.stale_after_ms, a live worker
 *   on another host can be judged lost.
 * - SMB `cache=loose` or `cache=ro`: file data cached without asking the server, so another
 *   host's writes are not seen.
 * - NFS `nolock` (or `local_lock=all|posix|flock`): byte-range and flock locks stay on this
 *   host, so anything that locks files on the share (a plugin, a tool, an SQLite file put
 *   there despite the warnings) believes it excludes other hosts and does not.
 * - NFS `lookupcache=all` (the default) with a long directory cache: names are trusted,
 *   missing ones included, until the directory's attributes expire, so a claim or result
 *   another host made or removed is seen late or looks absent.
 * - ext4 without a journal: a rename cut short by a power cut or a crash is not atomic
 *   there, so fsck can find a job's file under both names or under neither (in lost+found).
 * SMB `nobrl` is not a rule: spoolctl takes no byte-range locks on the share (its locks are
 * directories), and SQLite, which does, must not live there at all.
 */
import type { Finding } from './check.js';
import { isNfs, isSmb, type Mount } from './mounts.js';

export interface MountFinding extends Finding {
  fix: string;
}

/** Linux defaults when the option is absent: the kernel lists only values that differ. */
const NFS_DEFAULT_CACHE_S = 60;
const SMB_DEFAULT_CACHE_S = 1;

function seconds(m: Pick<Mount, 'options'>, key: string): number | undefined {
  const v = m.options.get(key);
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** The longest another host's change can stay unseen here; undefined for other filesystems. */
export function attributeCacheSeconds(m: Pick<Mount, 'type' | 'options'>): number | undefined {
  let fallback: number;
  if (isNfs(m.type)) {
    if (m.options.has('noac')) return 0;
    fallback = NFS_DEFAULT_CACHE_S;
  } else if (isSmb(m.type)) fallback = SMB_DEFAULT_CACHE_S;
  else return undefined;
  const all = seconds(m, 'actimeo') ?? fallback;
  return Math.max(seconds(m, 'acregmax') ?? all, seconds(m, 'acdirmax') ?? all);
}

/** How long an NFS mount trusts a directory's cached attributes, and the names in it. */
function directoryCacheSeconds(m: Pick<Mount, 'type' | 'options'>): number | undefined {
  if (!isNfs(m.type)) return undefined;
  if (m.options.has('noac')) return 0;
  return seconds(m, 'acdirmax') ?? seconds(m, 'actimeo') ?? NFS_DEFAULT_CACHE_S;
}

/** `journal`: for ext4, whether it runs one (ext4HasJournal); undefined when not known. */
export function mountProblems(
  m: Pick<Mount, 'type' | 'options' | 'mountPoint' | 'source'>,
  staleAfterMs: number,
  journal?: boolean,
): MountFinding[] {
  const out: MountFinding[] = [];
  if (m.options.has('ro')) {
    out.push({ status: 'fail', problem: 'mounted read-only', fix: `remount it read-write (\`mount -o remount,rw ${m.mountPoint}\`)` });
  }
  if (m.type === 'ext4' && journal === false) {
    out.push({
      status: 'warn',
      problem:
        "ext4 without a journal: a rename cut short by a power cut or a crash is not atomic here, so fsck can find a job's file under both names or under neither (in lost+found)",
      fix: `add a journal while it is unmounted (\`tune2fs -O has_journal ${m.source}\`), or put the spool on a journaled filesystem`,
    });
  }
  if (isNfs(m.type) && (m.options.has('soft') || m.options.has('softerr'))) {
    out.push({ status: 'warn', problem: 'a soft NFS mount: a slow server makes writes fail or be lost', fix: 'mount it with `hard`' });
  }
  const cache = attributeCacheSeconds(m);
  if (cache !== undefined && cache * 1000 > staleAfterMs / 2) {
    out.push({
      status: 'warn',
      problem: `attributes are cached up to ${cache}s, so other hosts' renames and heartbeats can show that late (over half of worker.stale_after_ms = ${staleAfterMs / 1000}s)`,
      fix: `mount it with \`actimeo=1\`${isNfs(m.type) ? ' (or `noac`)' : ''}, or raise worker.stale_after_ms above ${cache * 2000}`,
    });
  }
  if (isNfs(m.type) && (m.options.has('nolock') || ['all', 'posix', 'flock'].includes(m.options.get('local_lock') ?? 'none'))) {
    out.push({
      status: 'warn',
      problem: `${m.options.has('nolock') ? 'nolock' : `local_lock=${m.options.get('local_lock')}`}: file locks on this mount are kept on this host only, so programs that lock files on the share do not exclude other hosts`,
      fix: 'remount it without `nolock` (and with `local_lock=none`), running rpc.statd on NFSv3 or using NFSv4, whose locking needs no extra daemon',
    });
  }
  const dirCache = directoryCacheSeconds(m);
  const lookupcache = m.options.get('lookupcache') ?? 'all';
  if (dirCache !== undefined && lookupcache === 'all' && dirCache * 1000 > staleAfterMs / 2) {
    out.push({
      status: 'warn',
      problem: `lookupcache=all trusts names, missing ones included, for up to ${dirCache}s, so a claim or result that another host made or removed can look absent or present that long`,
      fix: 'mount it with `lookupcache=none` (or `lookupcache=positive`, which at least asks the server about every missing name)',
    });
  }
  const smbCache = isSmb(m.type) ? m.options.get('cache') : undefined;
  if (smbCache === 'loose' || smbCache === 'ro') {
    out.push({
      status: 'warn',
      problem: `cache=${smbCache} keeps file data without asking the server, so other hosts' writes go unseen`,
      fix: 'mount it with `cache=strict` (the default) or `cache=none`',
    });
  }
  return out;
}
