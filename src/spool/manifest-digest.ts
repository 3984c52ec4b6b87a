/**
 * A manifest read with the sha256 of its bytes: the `submitted` event records it, so the
 * chain vouches for the manifest a job ran with (spool-layout.md, "Ledger"). Its own module:
 * only the sentinel needs node:crypto for it, and every command loads manifest.ts.
 */
import { createHash } from 'node:crypto';
import { manifestOf, readLimitedBytes, type Manifest } from './manifest.js';

export function readManifestWithDigest(path: string, expectedId: string, maxBytes: number): { manifest: Manifest; sha256: string } {
  const bytes = readLimitedBytes(path, maxBytes);
  return { manifest: manifestOf(bytes, expectedId), sha256: createHash('sha256').update(bytes).digest('hex') };
}
