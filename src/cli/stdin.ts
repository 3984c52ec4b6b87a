/**
 * All of standard input, read synchronously. fd 0 may be non-blocking (a pipe a parent made
 * so, or the socket Node's spawnSync feeds): a read then fails with EAGAIN while the writer is
 * still writing, so the reader waits a moment and reads on rather than stop part-way.
 */
import { readSync } from 'node:fs';
import { errnoOf } from '../errors.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

export function readAllStdin(): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      if (errnoOf(err) !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 5);
      continue;
    }
    if (n === 0) return Buffer.concat(chunks).toString('utf8');
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
}
