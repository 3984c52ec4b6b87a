/**
 * gzip-compressed tar files, which GNU tar reads on any host: the bundles spoolctl writes for
 * people to carry off a site (`support-bundle`, `jobs export`) and reads back (`evidence
 * verify`). Reading takes what GNU tar writes when someone unpacks a bundle and packs it
 * again ("./" names, directory entries, long names): a repacked bundle is judged by its
 * contents, not refused for its wrapping.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { unlinkQuiet } from '../spool/atomic.js';

export interface ArchiveEntry {
  /** A relative path inside the archive. */
  name: string;
  data: Buffer;
}

/** The archive cannot be read: its gzip or tar data is cut short or corrupt, or it holds a link or a special file. */
export class ArchiveError extends Error {}

/** The gzipped tar of `entries`, in their order, each stamped with `mtime`. */
export async function tarGz(entries: readonly ArchiveEntry[], mtime: Date): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of tar) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) =>
      tar.entry({ name: e.name, size: e.data.length, mode: 0o644, mtime }, e.data, (err) => (err ? reject(err) : resolve())),
    );
  }
  tar.finalize();
  await collected;
  return gzipSync(Buffer.concat(chunks));
}

/** Writes the archive whole or not at all: through a temporary name beside `path`. */
export async function writeTarGz(path: string, entries: readonly ArchiveEntry[], mtime = new Date()): Promise<void> {
  const data = await tarGz(entries, mtime);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    unlinkQuiet(tmp);
    throw err;
  }
}

/** The regular files of a gzipped tar, in its order, names without a leading "./". */
export async function untarGz(gz: Buffer): Promise<ArchiveEntry[]> {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz);
  } catch (err) {
    throw new ArchiveError(`its gzip data does not decompress (${(err as Error).message})`);
  }
  const out: ArchiveEntry[] = [];
  const reader = extract();
  const done = pipeline(Readable.from([tar]), reader);
  // A broken archive fails the loop below too, which reports it: this rejection is not lost.
  done.catch(() => undefined);
  try {
    for await (const entry of reader) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const { name, type } = entry.header;
      if (type === 'file' || type === 'contiguous-file') out.push({ name: name.replace(/^(\.\/)+/, ''), data: Buffer.concat(chunks) });
      else if (type !== 'directory') throw new ArchiveError(`"${name}" is a ${type ?? 'special file'}, which no bundle holds`);
    }
    await done;
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError(`its tar data cannot be read (${(err as Error).message})`);
  }
  return out;
}
