/**
 * Reading logs/<id>.log, which workers only ever append to. Reads go by byte offset so a
 * reader can follow the log, and are bounded so a huge log is never read whole.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SpoolIoError, errnoOf } from '../errors.js';
import { jobLogPath, type Layout } from './layout.js';

export interface LogRead {
  data: Buffer;
  /** Offset of data[0] in the file. */
  start: number;
  /** Offset just past the data: where the next read starts. */
  end: number;
}

/**
 * The log from byte `from` to its end, or only the last `max` bytes of that; undefined when
 * the job has no log. A log now shorter than `from` is a new one (the old was purged and the
 * id used again) and is read from its start.
 */
export function readJobLog(l: Layout, id: string, from = 0, max = Number.POSITIVE_INFINITY): LogRead | undefined {
  return readLogFile(jobLogPath(l, id), from, max);
}

/** Any append-only log (a job's, a service's) read as readJobLog reads a job's. */
export function readLogFile(path: string, from = 0, max = Number.POSITIVE_INFINITY): LogRead | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw new SpoolIoError('open', path, err as NodeJS.ErrnoException);
  }
  try {
    const size = fstatSync(fd).size;
    const start = from > size ? 0 : Math.max(from, size - max);
    const data = Buffer.alloc(size - start);
    let got = 0;
    while (got < data.length) {
      const n = readSync(fd, data, got, data.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return { data: data.subarray(0, got), start, end: start + got };
  } catch (err) {
    throw new SpoolIoError('read', path, err as NodeJS.ErrnoException);
  } finally {
    closeSync(fd);
  }
}
