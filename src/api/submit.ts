/**
 * Submission: builds a manifest, validates it, and publishes it into pending/ through tmp/
 * (the same file-drop any producer may use). The sentinel is not needed to submit.
 */
import { InvalidFileError, UsageError, errnoOf, SpoolIoError } from '../errors.js';
import { fail } from '../faults/failpoints.js';
import { publish } from '../spool/atomic.js';
import { stateFileName, statePath } from '../spool/layout.js';
import { validateManifest, type Manifest } from '../spool/manifest.js';
import { PluginRegistry } from '../spool/plugins.js';
import { fileServerNowOrLocal } from './clock.js';
import { alreadyExists, newJobId, refuseKnownIds } from './job-ids.js';
import { slotStates } from './slots.js';
import { sentinelStatus } from './status.js';
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
  const id = input.id ?? newJobId();
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
  // A generated id is new by construction (about 72 random bits); a chosen one may be taken.
  if (input.id !== undefined) refuseKnownIds(s, [id]);
  publishManifest(s, manifest);
  return id;
}

/** Publishes a checked manifest into pending/, the way any producer may, never over a job there. */
export function publishManifest(s: Spool, m: Manifest): void {
  fail('submit.before-publish');
  try {
    publish(s.l.tmp, statePath(s.l, 'pending', stateFileName(m.id, 0)), `${JSON.stringify(m, null, 2)}\n`, {
      noClobber: true,
      failpoint: 'submit.after-write',
    });
  } catch (err) {
    if (err instanceof SpoolIoError && errnoOf(err.errno) === 'EEXIST') throw alreadyExists(m.id, 'pending');
    throw err;
  }
}

/**
 * Why a job just submitted will wait (no sentinel up, no worker taking jobs), as one sentence
 * for stderr; undefined when both run. The job is queued either way: this only warns.
 */
export function waitingWarning(s: Spool): string | undefined {
  try {
    const now = fileServerNowOrLocal(s);
    const sentinel = sentinelStatus(s, now).up;
    const worker = slotStates(s, now).some((x) => x.condition === 'idle' || x.condition === 'busy');
    if (sentinel && worker) return undefined;
    const missing =
      !sentinel && !worker
        ? 'no sentinel is up and no worker holds a slot'
        : !sentinel
          ? 'no sentinel is up'
          : 'no worker holds a slot that takes jobs';
    return `the job is queued, but ${missing}, so it waits until ${!sentinel && !worker ? 'a sentinel and a worker run' : !sentinel ? 'a sentinel runs' : 'a worker runs'}: start them with \`spoolctl start-services\` (or \`spoolctl sentinel\` and \`spoolctl worker\`).`;
  } catch {
    return undefined; // a warning must never fail a submission that succeeded
  }
}
