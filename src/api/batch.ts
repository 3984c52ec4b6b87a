/**
 * Submission of one job or many: every job is checked (schema, plugin, ids new to the batch
 * and to the spool, `after` naming a job of the batch or of the spool, no cycle) before any is
 * published, so a bad line costs nothing; then they are published in groups, each written
 * to tmp/, moved into pending/ and made durable with one sync of pending/.
 */
import { InvalidFileError, UsageError, errnoOf, SpoolIoError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { getJob } from '../ledger/queries.js';
import { exists, publishAll } from '../spool/atomic.js';
import { stateFileName, statePath } from '../spool/layout.js';
import { validateManifest, type Manifest } from '../spool/manifest.js';
import { PluginRegistry } from '../spool/plugins.js';
import { alreadyExists, newJobId } from './job-ids.js';
import { openLedgerForRead, type Spool } from './spool.js';

/** A job to submit: a manifest in the making, and where it came from ("line 12") for errors. */
export interface Draft {
  where: string;
  fields: Record<string, unknown>;
}

/** Files per group: each group costs one sync of pending/, and a failure loses no more than one group's tmp files. */
const GROUP = 1000;

function bad(d: Draft, problem: string): UsageError {
  return new UsageError(`${d.where}: ${problem}; nothing was submitted.`);
}

/** Checks every draft; returns the manifests, or throws naming the first bad one. */
export function checkDrafts(s: Spool, drafts: Draft[]): Manifest[] {
  const plugins = new PluginRegistry(s.l);
  const byId = new Map<string, Draft>();
  const manifests = drafts.map((d) => {
    const chosen = typeof d.fields.id === 'string';
    const draft = { id: chosen ? undefined : newJobId(), ...d.fields, created_at: d.fields.created_at ?? new Date().toISOString() };
    let m: Manifest;
    try {
      m = validateManifest(draft);
    } catch (err) {
      if (err instanceof InvalidFileError) throw bad(d, `the job ${err.message}`);
      throw err;
    }
    const bytes = Buffer.byteLength(manifestText(m));
    const max = s.loaded.config.jobs.max_manifest_bytes;
    if (bytes > max) throw bad(d, `the job's manifest is ${bytes} bytes, over the ${max}-byte limit (jobs.max_manifest_bytes)`);
    const plugin = plugins.lookup(m.plugin);
    if (!plugin.ok) throw bad(d, `${plugin.reason} in ${s.l.plugins}`);
    const twin = byId.get(m.id);
    if (twin) throw bad(d, `the id "${m.id}" is also the id of the job on ${twin.where}`);
    byId.set(m.id, d);
    return m;
  });
  // Only chosen ids and "after" are looked up: a batch with neither leaves the ledger closed.
  const lookups = drafts.some((d, i) => typeof d.fields.id === 'string' || (manifests[i]!.after ?? []).length > 0);
  const db = lookups ? openLedgerForRead(s) : undefined;
  const known = (id: string) =>
    (db ? getJob(db, id)?.state : undefined) ?? (exists(statePath(s.l, 'pending', stateFileName(id, 0))) ? 'pending' : undefined);
  try {
    for (const [i, m] of manifests.entries()) {
      const d = drafts[i]!;
      // A generated id is new by construction (about 72 random bits); a chosen one may be taken.
      if (typeof d.fields.id === 'string') {
        const state = known(m.id);
        if (state) throw bad(d, alreadyExists(m.id, state).message);
      }
      for (const dep of m.after ?? []) {
        if (dep === m.id) throw bad(d, `job ${m.id} names itself in "after": it could never run`);
        if (!byId.has(dep) && !known(dep)) throw bad(d, `"after" names ${dep}, which is no job of the spool nor of this submission`);
      }
    }
  } finally {
    db?.close();
  }
  refuseCycles(manifests, byId);
  return manifests;
}

function manifestText(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** A cycle of `after` inside the batch would leave all its jobs waiting forever. */
function refuseCycles(manifests: Manifest[], byId: Map<string, Draft>): void {
  const deps = new Map(manifests.map((m) => [m.id, (m.after ?? []).filter((a) => byId.has(a))]));
  const done = new Set<string>();
  for (const start of deps.keys()) {
    if (done.has(start)) continue;
    // Iterative depth-first walk: a chain of 10,000 jobs would overflow the stack by recursion.
    const path: string[] = [];
    const onPath = new Set<string>();
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    path.push(start);
    onPath.add(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const dep = deps.get(top.id)![top.next++];
      if (dep === undefined) {
        stack.pop();
        path.pop();
        onPath.delete(top.id);
        done.add(top.id);
      } else if (onPath.has(dep)) {
        const cycle = [...path.slice(path.indexOf(dep)), dep];
        throw bad(byId.get(dep)!, `"after" makes a cycle (${cycle.join(' -> ')}): none of these jobs could ever run`);
      } else if (!done.has(dep)) {
        stack.push({ id: dep, next: 0 });
        path.push(dep);
        onPath.add(dep);
      }
    }
  }
}

/**
 * Publishes checked manifests in input order. A failure part way (a full disk, a producer's
 * file under a chosen id) says which jobs were published: they stay pending.
 */
export async function publishManifests(s: Spool, manifests: Manifest[]): Promise<void> {
  let published = 0;
  for (let i = 0; i < manifests.length; i += GROUP) {
    fail('submit.before-publish');
    const group = manifests.slice(i, i + GROUP);
    const r = await publishAll(
      s.l.tmp,
      group.map((m) => ({ target: statePath(s.l, 'pending', stateFileName(m.id, 0)), data: manifestText(m) })),
      { noClobber: true, failpoint: 'submit.after-write' },
    );
    published += r.placed;
    if (!r.error) continue;
    const failed = group[r.placed]!;
    const err = r.error instanceof SpoolIoError && errnoOf(r.error.errno) === 'EEXIST' ? alreadyExists(failed.id, 'pending') : r.error;
    if (published === 0) throw err;
    throw new Error(
      `${err.message} (after ${published} of ${manifests.length} jobs were published; those stay pending, the last was ${manifests[published - 1]!.id})`,
    );
  }
}
