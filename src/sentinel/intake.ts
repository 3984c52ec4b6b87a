/**
 * Reads new files in pending/: validates each manifest (a bad one goes to rejected/ with
 * the reason), records submissions, and keeps the dispatch queue. A file whose id already
 * belongs to a job elsewhere in the spool is a duplicate and is rejected; a file the ledger
 * placed elsewhere but whose old place is empty is a move the ledger missed (a restart) and
 * is recorded as that move.
 */
import { lstatSync } from 'node:fs';
import { InvalidFileError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { exists } from '../spool/atomic.js';
import { parseStateName, spoolPath, statePath } from '../spool/layout.js';
import { effectivePriority } from '../spool/manifest.js';
import { readManifestWithDigest } from '../spool/manifest-digest.js';
import { listNames } from '../spool/scan.js';
import { spoolRelative, transition, type SentinelContext } from './context.js';
import { afterReason, checkAfter, judgeDeferred } from './dependencies.js';
import { quarantineFile } from './quarantine.js';
import { recordObserved } from './reconcile.js';
import { noteWaiting } from './wait-reasons.js';

/** Manifests validated per pass, so a flood of submissions cannot stall results and control. */
const INTAKE_BATCH = 1000;

/** Returns true when files are left for another pass. */
export function intake(ctx: SentinelContext): boolean {
  const startedAt = Date.now();
  const names = listNames(ctx.l.pending);
  const present = new Set(names);
  for (const name of ctx.pending.keys()) if (!present.has(name)) ctx.pending.delete(name);
  let read = 0;
  for (const name of names) {
    if (ctx.pending.has(name)) continue;
    if (read >= INTAKE_BATCH) return true;
    read += 1;
    admit(ctx, name);
  }
  judgeDeferred(ctx, startedAt, present);
  return false;
}

/**
 * Like intake, for the names the watcher saw change in pending/ since the last pass: a new
 * file is admitted, one gone is forgotten, and pending/ is not listed. Consumes what it reads
 * from `names`; returns true when names are left for another pass.
 */
export function intakeChanged(ctx: SentinelContext, names: Set<string>): boolean {
  let read = 0;
  for (const name of names) {
    if (read >= INTAKE_BATCH) return true;
    names.delete(name);
    if (ctx.pending.has(name)) {
      if (!exists(statePath(ctx.l, 'pending', name))) ctx.pending.delete(name);
      continue;
    }
    read += 1;
    admit(ctx, name);
  }
  return false;
}

/** Validates and records one file of pending/; a bad one is quarantined. */
export function admit(ctx: SentinelContext, name: string): void {
  const path = statePath(ctx.l, 'pending', name);
  const parsed = parseStateName(name);
  if (!parsed) {
    quarantineFile(ctx, ctx.l.pending, name, 'file name is not <id>.json with an id of 1-64 letters, digits, "_" or "-"');
    return;
  }
  let manifest;
  let digest: string;
  let mtimeMs: number;
  try {
    // Most names reported gone are this sentinel's own claims: no error to build for them.
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st) return;
    mtimeMs = st.mtimeMs;
    ({ manifest, sha256: digest } = readManifestWithDigest(path, parsed.id, ctx.cfg.jobs.max_manifest_bytes));
  } catch (err) {
    if (!(err instanceof InvalidFileError)) {
      if (!exists(path)) return; // gone between readdir and read: a producer or an operator removed it
      throw err;
    }
    quarantineFile(ctx, ctx.l.pending, name, `manifest ${err.message}`, parsed.id);
    return;
  }
  const plugin = ctx.plugins.lookup(manifest.plugin);
  if (!plugin.ok) {
    quarantineFile(ctx, ctx.l.pending, name, plugin.reason, parsed.id);
    return;
  }
  const rel = spoolRelative(ctx, path);
  const known = ctx.jobs.get(parsed.id);
  if (known && known.state !== 'rejected' && known.file !== rel && known.file && exists(spoolPath(ctx.l, known.file))) {
    quarantineFile(ctx, ctx.l.pending, name, `duplicate id: job "${parsed.id}" already exists as ${known.file}`);
    return;
  }
  const notBefore = manifest.not_before === undefined ? 0 : Date.parse(manifest.not_before);
  if (Number.isNaN(notBefore)) {
    quarantineFile(ctx, ctx.l.pending, name, `manifest not_before "${manifest.not_before}" is no real time`, parsed.id);
    return;
  }
  const isNew = !known || known.state === 'rejected';
  const after = checkAfter(ctx, name, parsed.id, manifest.after ?? [], isNew);
  if (!('waitsFor' in after)) return;
  fail('intake.after-read');
  const maxAttempts = manifest.max_attempts ?? plugin.plugin.max_attempts ?? ctx.cfg.jobs.max_attempts;
  const priority = effectivePriority(manifest);
  if (isNew) {
    transition(
      ctx,
      { type: 'submitted', job: parsed.id, actor: 'producer', detail: { plugin: manifest.plugin, priority, file: rel, sha256: digest } },
      {
        id: parsed.id,
        state: 'pending',
        plugin: manifest.plugin,
        priority,
        attempts: parsed.attempts,
        max_attempts: maxAttempts,
        file: rel,
        submitted_at: manifest.created_at ?? new Date(mtimeMs).toISOString(),
        not_before: notBefore ? new Date(notBefore).toISOString() : null,
        after_ids: manifest.after?.length ? JSON.stringify(manifest.after) : null,
        retry_at: null,
      },
    );
  } else if (known.state !== 'pending' || known.file !== rel) {
    recordObserved(ctx, parsed.id, 'pending', parsed.attempts, rel);
  }
  const mirror = ctx.jobs.get(parsed.id);
  if (mirror) mirror.maxAttempts = maxAttempts;
  const retryAt = mirror?.retry_at ? Date.parse(mirror.retry_at) : 0;
  const entry = {
    name,
    path,
    id: parsed.id,
    attempts: parsed.attempts,
    priority,
    mtimeMs,
    plugin: manifest.plugin,
    readyAt: Math.max(notBefore, retryAt),
    requires: manifest.requires ?? [],
  };
  ctx.pending.set(name, entry, after.waitsFor);
  noteWaiting(ctx, parsed.id, after.waitsFor.length > 0 ? afterReason(after.waitsFor) : null);
}
