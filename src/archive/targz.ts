/**
 * gzip-compressed tar files, which GNU tar reads on any host: the bundles spoolctl writes
 * for people to carry off a site (`support-bundle`, job evidence) and reads back.
 */
import { createReadStream, createWriteStream, renameSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { unlinkQuiet } from '../spool/atomic.js';

export interface ArchiveEntry {
  /** A relative path inside the archive. */
  name: string;
  data: string | Buffer;
}

/** Writes the archive whole or not at all: through a temporary name beside `path`. */
export async function writeTarGz(path: string, entries: readonly ArchiveEntry[], mtime = new Date()): Promise<void> {
  const tar = pack();
  const tmp = `${path}.${process.pid}.tmp`;
  const written = pipeline(tar, createGzip(), createWriteStream(tmp, { mode: 0o600 }));
  try {
    for (const e of entries) {
      const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data;
      await new Promise<void>((resolve, reject) =>
        tar.entry({ name: e.name, size: data.length, mode: 0o644, mtime }, data, (err) => (err ? reject(err) : resolve())),
      );
    }
    tar.finalize();
    await written;
    renameSync(tmp, path);
  } catch (err) {
    tar.destroy();
    await written.catch(() => undefined);
    unlinkQuiet(tmp);
    throw err;
  }
}

/** Every regular file of the archive by its name; throws when the file is not a whole tar.gz. */
export async function readTarGz(path: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const reader = extract();
  const done = pipeline(createReadStream(path), createGunzip(), reader);
  // A broken file fails the loop below too, which reports it: this rejection is not lost.
  done.catch(() => undefined);
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type === 'file') files.set(entry.header.name, Buffer.concat(chunks));
  }
  await done;
  return files;
}
