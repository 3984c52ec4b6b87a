/**
 * The evidence bundle of `spoolctl jobs export`: a gzipped tar whose first file, bundle.json,
 * describes the rest and carries the sha256 of every other file. The names inside, the shape
 * of bundle.json, and packing and unpacking live here; what is proven from them is check.ts's.
 */
import { createHash } from 'node:crypto';
import type { Link } from '../chain/event.js';
import { UsageError } from '../errors.js';
import { ArchiveError, tarGz, untarGz } from '../archive/targz.js';

export const BUNDLE_FORMAT = 'spoolctl-evidence';
export const BUNDLE_VERSION = 1;
export const BUNDLE_JSON = 'bundle.json';
/** Every event from the earliest first event of the bundle's jobs to the head, one journal line each. */
export const CHAIN_FILE = 'chain/events.jsonl';

export const jobFile = (id: string, name: string): string => `jobs/${id}/${name}`;
export const pluginFile = (plugin: string): string => `plugins/${plugin}.json`;
export const envListingFile = (plugin: string): string => `plugins/${plugin}.env.txt`;

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** A file the exporter read outside the bundle, named by its digest, or why it has none. */
export interface CommandFile {
  /** Its index in the plugin's command. */
  arg: number;
  /** As the plugin's command writes it. */
  written: string;
  /** Where the exporter found it. */
  path: string | null;
  sha256: string | null;
  /** Why it was not hashed (a bare name looked up on PATH, a placeholder, a missing file). */
  unhashed: string | null;
}

/** A spool file in the bundle: where it is inside, and where it came from. */
export interface BundledFile {
  file: string;
  from: string;
}

/** Something the exporter looked for and did not bundle, and why. */
export interface NotBundled {
  missing: string;
}

export interface BundledJob {
  id: string;
  /** The ledger's job row at export: derived data, outside the chain. */
  state: string;
  plugin: string | null;
  /** The seqs of the job's events, all in the chain file. */
  events: number[];
  manifest: BundledFile | NotBundled;
  plugin_def: BundledFile | NotBundled;
  /** The plugin command's files by digest, as they were on the exporting host at export time. */
  command: CommandFile[];
  /** The plugin's environment directory (env_hash) and its listing in the bundle; null when it names none. */
  env: { env_hash: string; dir: string; listing: BundledFile | NotBundled } | null;
  /** The job's log and its error record (failed/ or cancelled/), as they exist. */
  logs: BundledFile[];
}

export interface BundleHead {
  format: typeof BUNDLE_FORMAT;
  version: number;
  spool: string;
  exported_at: string;
  exporter: { host: string; user: string; spoolctl: string };
  /** The ledger's last event when the bundle was made. */
  head: Link;
  chain: { file: string; first_seq: number; last_seq: number; events: number };
  jobs: BundledJob[];
}

export interface BundleJson extends BundleHead {
  /** sha256 of every other file in the bundle. */
  files: Record<string, string>;
  /**
   * sha256 of this document without this field (JSON.stringify of the parsed value): catches an
   * edit of bundle.json made without recomputing it. Anyone can recompute it: it is no seal.
   */
  checksum: string;
}

export function bundleChecksum(b: Omit<BundleJson, 'checksum'> & { checksum?: unknown }): string {
  const { checksum: _checksum, ...rest } = b;
  return sha256(JSON.stringify(rest));
}

/** The gzipped tar: bundle.json first, then `files` in their order. */
export function packBundle(head: BundleHead, files: Map<string, Buffer>): Promise<Buffer> {
  const described = { ...head, files: Object.fromEntries([...files].map(([name, data]) => [name, sha256(data)])) };
  const json: BundleJson = { ...described, checksum: bundleChecksum(described) };
  const entries = [
    { name: BUNDLE_JSON, data: Buffer.from(`${JSON.stringify(json, null, 2)}\n`) },
    ...[...files].map(([name, data]) => ({ name, data })),
  ];
  return tarGz(entries, new Date(Math.floor(Date.parse(head.exported_at) / 1000) * 1000));
}

export interface Unpacked {
  /** bundle.json as read: checked field by field by check.ts, never trusted whole. */
  json: BundleJson;
  files: Map<string, Buffer>;
}

/**
 * A bundle's files. What is no bundle at all (no gzip, no bundle.json, another format) is a
 * UsageError; a bundle damaged in transit or by hand (gzip or tar cut short, a name twice)
 * is an Error: it proves nothing, as an altered one.
 */
export async function unpackBundle(gz: Buffer, name: string): Promise<Unpacked> {
  if (gz.length < 2 || gz[0] !== 0x1f || gz[1] !== 0x8b) throw new UsageError(`${name} is not an evidence bundle (not gzip data).`);
  let entries;
  try {
    entries = await untarGz(gz);
  } catch (err) {
    if (!(err instanceof ArchiveError)) throw err;
    throw new Error(`${name} is damaged: ${err.message}.`);
  }
  const files = new Map<string, Buffer>();
  for (const e of entries) {
    if (files.has(e.name)) throw new Error(`${name} is damaged: it holds "${e.name}" twice.`);
    files.set(e.name, e.data);
  }
  const raw = files.get(BUNDLE_JSON);
  files.delete(BUNDLE_JSON);
  let json: unknown;
  try {
    json = raw && JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Error(`${name} is damaged: its ${BUNDLE_JSON} is not JSON.`);
  }
  const o = json as Partial<BundleJson> | undefined;
  if (o?.format !== BUNDLE_FORMAT)
    throw new UsageError(`${name} is not an evidence bundle (no ${BUNDLE_JSON} of format ${BUNDLE_FORMAT}).`);
  if (o.version !== BUNDLE_VERSION)
    throw new UsageError(`${name} is an evidence bundle of version ${String(o.version)}; this spoolctl reads version ${BUNDLE_VERSION}.`);
  return { json: o as BundleJson, files };
}
