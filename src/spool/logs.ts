/**
 * Reading logs/<id>.log, which workers only ever append to. Reads go by byte offset so a
 * reader can follow the log, and are bounded so a huge log is never read whole.
 */
import { closeSync, fstatSync } from 'node:fs';
import { SpoolIoError } from '../errors.js';
import { openToRead, readAt } from './atomic.js';
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
  const fd = openToRead(path);
  if (fd === undefined) return undefined;
  try {
    const size = fstatSync(fd).size;
    const start = from > size ? 0 : Math.max(from, size - max);
    const data = readAt(fd, start, size - start);
    return { data, start, end: start + data.length };
  } catch (err) {
    throw new SpoolIoError('read', path, err as NodeJS.ErrnoException);
  } finally {
    closeSync(fd);
  }
}
