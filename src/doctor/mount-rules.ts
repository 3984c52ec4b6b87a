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

export function mountProblems(m: Pick<Mount, 'type' | 'options' | 'mountPoint'>, staleAfterMs: number): MountFinding[] {
  const out: MountFinding[] = [];
  if (m.options.has('ro')) {
    out.push({ status: 'fail', problem: 'mounted read-only', fix: `remount it read-write (\`mount -o remount,rw ${m.mountPoint}\`)` });
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
  const smbCache = isSmb(m.type) ? m.options.get('cache') : undefined;
  if (smbCache === 'loose' || smbCache === 'ro') {
    out.push({ status: 'warn', problem: `cache=${smbCache} keeps file data without asking the server, so other hosts' writes go unseen`, fix: 'mount it with `cache=strict` (the default) or `cache=none`' });
  }
  return out;
}
