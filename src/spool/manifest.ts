/**
 * Manifests and plugin definitions: the schemas (schemas/*.json, compiled by the build into
 * dist/schemas/validators.cjs) and the safe reader.
 * A file is read only if it is a regular file (no symlink, FIFO or device) no larger than
 * the limit; anything else is an InvalidFileError whose message is the quarantine reason.
 */
import { closeSync, fstatSync, openSync, constants as C } from 'node:fs';
import { readAt } from './atomic.js';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { InvalidFileError, SpoolIoError, errnoOf } from '../errors.js';
import { packageRoot } from '../paths.js';

export interface Manifest {
  id: string;
  plugin: string;
  input?: string;
  params?: Record<string, string | number | boolean>;
  priority?: number;
  max_attempts?: number;
  /** ISO 8601 with a zone: not claimed before. */
  not_before?: string;
  /** Jobs that must be done first. */
  after?: string[];
  /** Worker tags the claiming slot's worker must all have. */
  requires?: string[];
  created_at?: string;
  meta?: Record<string, unknown>;
}

export interface PluginDef {
  name: string;
  description?: string;
  command: string[];
  timeout_s?: number;
  max_attempts?: number;
  retry_backoff_ms?: number;
  max_concurrent?: number;
  requires?: string[];
  env_hash?: string;
}

interface Validators {
  manifest: ValidateFunction<Manifest>;
  plugin: ValidateFunction<PluginDef>;
}

let validators: Validators | undefined;

/** Found from the package root, so that src/ (tests), dist/src/ and the bundles load the same file. */
function compiled(): Validators {
  validators ??= createRequire(import.meta.url)(join(packageRoot(), 'dist', 'schemas', 'validators.cjs')) as Validators;
  return validators;
}

function schemaProblem(v: ValidateFunction): string {
  const e = v.errors?.[0];
  if (!e) return 'does not match the schema';
  const where = e.instancePath || '(top level)';
  const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
  return `${where} ${e.message}${extra}`;
}

/** Reads a spool file without following links or blocking on FIFOs, refusing large files unread. */
export function readLimited(path: string, maxBytes: number): string {
  return readLimitedBytes(path, maxBytes).toString('utf8');
}

/** readLimited's bytes as they are on disk: what evidence of a file must hold. */
export function readLimitedBytes(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
  } catch (err) {
    if (errnoOf(err) === 'ELOOP') throw new InvalidFileError('is a symbolic link; manifests must be regular files');
    if (errnoOf(err) === 'ENXIO') throw new InvalidFileError('is not a regular file');
    throw new SpoolIoError('open', path, err as NodeJS.ErrnoException);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InvalidFileError('is not a regular file (FIFO, device or directory)');
    if (st.size > maxBytes) {
      throw new InvalidFileError(`is ${st.size} bytes, over the ${maxBytes}-byte limit (jobs.max_manifest_bytes)`);
    }
    return readAt(fd, 0, st.size);
  } finally {
    closeSync(fd);
  }
}

/** Deeper documents are refused: validating or printing them would overflow the stack. */
export const MAX_JSON_DEPTH = 64;

function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return max;
}

function parseJson(text: string): unknown {
  if (nestingDepth(text) > MAX_JSON_DEPTH)
    throw new InvalidFileError(`is nested too deeply (over ${MAX_JSON_DEPTH} levels of arrays and objects)`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidFileError(`is not valid JSON (${(err as Error).message})`);
  }
}

/** Reads a JSON spool file with the same guards as a manifest, without checking its schema. */
export function readJsonFile(path: string, maxBytes: number): unknown {
  return parseJson(readLimited(path, maxBytes));
}

export function validateManifest(data: unknown): Manifest {
  const v = compiled().manifest;
  if (!v(data)) throw new InvalidFileError(`fails the manifest schema: ${schemaProblem(v)}`);
  return data;
}

/** Reads and validates a manifest whose file stem must be `expectedId`. */
export function readManifest(path: string, expectedId: string, maxBytes: number): Manifest {
  return manifestOf(readLimitedBytes(path, maxBytes), expectedId);
}

/** A manifest's bytes, validated, with the id its file stem must have. */
export function manifestOf(bytes: Buffer, expectedId: string): Manifest {
  const m = validateManifest(parseJson(bytes.toString('utf8')));
  if (m.id !== expectedId) throw new InvalidFileError(`has id "${m.id}" but its file name says "${expectedId}"`);
  return m;
}

export function readPlugin(path: string): PluginDef {
  const data = readJsonFile(path, 1 << 20);
  const v = compiled().plugin;
  if (!v(data)) throw new InvalidFileError(`${basename(path)} fails the plugin schema: ${schemaProblem(v)}`);
  const stem = basename(path).replace(/\.json$/, '');
  if (data.name !== stem) throw new InvalidFileError(`${basename(path)} has name "${data.name}" but its file name says "${stem}"`);
  return data;
}

export function effectivePriority(m: Manifest): number {
  return m.priority ?? 0;
}
