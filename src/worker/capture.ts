/**
 * Where a plugin's stdout and stderr go, and its progress lines (fd 3): a file per stream per
 * worker, on the worker host's local temp directory, opened for appending once and emptied
 * before each job, that the worker reads while the job runs and when it ends. Pipes, with
 * their stream objects, cost the worker more CPU than a no-op job itself; a file descriptor
 * handed to the child costs nothing, and a plugin that writes faster than the worker reads
 * is never blocked.
 * The file is unlinked as soon as it is opened: nothing is left behind, even by a kill -9,
 * and the plugin keeps writing to it through the descriptor it inherited.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { ConfigError } from '../errors.js';

/**
 * Past this size, once read, the file is emptied while the job still runs, so a runaway
 * plugin cannot fill the worker's disk. Output written between that read and the cut is lost
 * (microseconds' worth); it falls in the part of a log this long that the bound omits anyway.
 */
const ROTATE_BYTES = 8 << 20;
const CHUNK_BYTES = 64 << 10;

export class OutputCapture {
  readonly fd: number;
  private offset = 0;
  private closed = false;

  constructor(
    dir = tmpdir(),
    private readonly rotateBytes = ROTATE_BYTES,
  ) {
    const path = join(dir, `spoolctl-output-${process.pid}-${nanoid(8)}`);
    try {
      this.fd = openSync(path, 'ax+', 0o600);
    } catch (err) {
      throw new ConfigError(
        `The worker cannot create its plugin output file in ${dir} (${(err as Error).message}): set TMPDIR to a writable directory on a local disk.`,
      );
    }
    unlinkSync(path);
  }

  /** Empties the file for the next job (a silent job left nothing to empty). */
  reset(): void {
    if (this.closed) return;
    if (this.offset > 0 || fstatSync(this.fd).size > 0) ftruncateSync(this.fd, 0);
    this.offset = 0;
  }

  /** Hands what was written since the last call to `sink`, in chunks it may keep. */
  drain(sink: (chunk: Buffer) => void): void {
    // A worker that exits while its plugin runs (its slot taken over) closes the file first.
    if (this.closed) return;
    const size = fstatSync(this.fd).size;
    while (this.offset < size) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - this.offset));
      const n = readSync(this.fd, chunk, 0, chunk.length, this.offset);
      if (n <= 0) break;
      this.offset += n;
      sink(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    if (this.offset >= this.rotateBytes) this.reset();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
