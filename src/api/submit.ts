/**
 * Submission: builds a manifest, validates it, and publishes it into pending/ through tmp/
 * (the same file-drop any producer may use). The sentinel is not needed to submit.
 */
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { InvalidFileError, UsageError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { publish } from '../spool/atomic.js';
import { stateFileName } from '../spool/layout.js';
import { validateManifest, type Manifest } from '../spool/manifest.js';
import { PluginRegistry } from '../spool/plugins.js';
import { fileServerNowOrLocal } from './clock.js';
import { sentinelStatus, slotStatuses } from './status.js';
import type { Spool } from './spool.js';

export interface SubmitInput {
  plugin: string;
  id?: string;
  input?: string;
  params?: Record<string, string>;
  priority?: number;
  maxAttempts?: number;
}

export function submitJob(s: Spool, input: SubmitInput): string {
  const id = input.id ?? nanoid(12);
  const draft: Manifest = {
    id,
    plugin: input.plugin,
    ...(input.input !== undefined ? { input: input.input } : {}),
    ...(input.params && Object.keys(input.params).length ? { params: input.params } : {}),
    ...(input.priority !== undefined ? { priority: input.priority } : {}),
    ...(input.maxAttempts !== undefined ? { max_attempts: input.maxAttempts } : {}),
    created_at: new Date().toISOString(),
  };
  let manifest: Manifest;
  try {
    manifest = validateManifest(draft);
  } catch (err) {
    if (err instanceof InvalidFileError) throw new UsageError(`The job is not valid: it ${err.message}.`);
    throw err;
  }
  const plugin = new PluginRegistry(s.l).lookup(manifest.plugin);
  if (!plugin.ok) throw new UsageError(`Cannot submit: ${plugin.reason}. Plugins live in ${s.l.plugins}.`);
  fail('submit.before-publish');
  try {
    publish(s.l.tmp, join(s.l.pending, stateFileName(id, 0)), `${JSON.stringify(manifest, null, 2)}\n`, { noClobber: true, failpoint: 'submit.after-write' });
  } catch (err) {
    if ((err as { errno?: { code?: string } }).errno?.code === 'EEXIST') throw new UsageError(`A job "${id}" is already pending.`);
    throw err;
  }
  return id;
}

/**
 * Why a job just submitted will wait (no sentinel up, no worker taking jobs), as one sentence
 * for stderr; undefined when both run. The job is queued either way: this only warns.
 */
export function waitingWarning(s: Spool): string | undefined {
  try {
    const now = fileServerNowOrLocal(s);
    const sentinel = sentinelStatus(s, now).up;
    const worker = slotStatuses(s, now).some((x) => (x.state === 'idle' || x.state === 'busy') && !x.draining);
    if (sentinel && worker) return undefined;
    const missing = !sentinel && !worker ? 'no sentinel is up and no worker holds a slot' : !sentinel ? 'no sentinel is up' : 'no worker holds a slot that takes jobs';
    return `the job is queued, but ${missing}, so it waits until ${!sentinel && !worker ? 'a sentinel and a worker run' : !sentinel ? 'a sentinel runs' : 'a worker runs'}: start them with \`spoolctl start-services\` (or \`spoolctl sentinel\` and \`spoolctl worker\`).`;
  } catch {
    return undefined; // a warning must never fail a submission that succeeded
  }
}
