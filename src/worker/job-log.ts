/**
 * A job's log file (logs/<id>.log), appended once per attempt and bounded: past
 * worker.log_max_bytes only a tail is kept in memory and written when the attempt ends,
 * so a runaway plugin cannot fill the share. A log that cannot be written (full disk) never
 * stops the job: what could not be written is counted, and the tail is still kept in memory.
 * The file is opened, and the attempt's header written, with the first output or note: a
 * silent attempt that succeeds leaves no file, so a million quiet jobs are not a million
 * files on the share.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const TAIL_BYTES = 4096;

export class JobLog {
  private fd: number | undefined;
  private written = 0;
  private unwritten = 0;
  private dropped = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;

  private header: Buffer | undefined;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    header: string,
  ) {
    this.header = Buffer.from(header);
  }

  private open(): void {
    const header = this.header;
    if (!header) return;
    this.header = undefined;
    try {
      this.fd = openSync(this.path, 'a', 0o666);
    } catch {
      this.fd = undefined;
    }
    this.put(header);
  }

  private put(b: Buffer): void {
    this.open();
    if (this.fd === undefined) {
      this.unwritten += b.length;
      return;
    }
    try {
      writeSync(this.fd, b);
    } catch {
      this.unwritten += b.length;
    }
  }

  write(chunk: Buffer): void {
    this.keepTail(chunk);
    const room = this.maxBytes - this.written;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.put(part);
      this.written += part.length;
      this.dropped += chunk.length - part.length;
    } else {
      this.dropped += chunk.length;
    }
  }

  note(line: string): void {
    this.put(Buffer.from(line.endsWith('\n') ? line : `${line}\n`));
  }

  /** Bytes that could not be written to the file (a full or failing disk). */
  get lost(): number {
    return this.unwritten;
  }

  /** The last few KB of output, for the result and failed/<id>.error.json. */
  tailText(): string {
    return Buffer.concat(this.tail).subarray(-TAIL_BYTES).toString('utf8');
  }

  close(): void {
    if (this.dropped > 0) {
      this.put(
        Buffer.from(
          `\n[spoolctl: ${this.dropped} bytes over worker.log_max_bytes omitted; last ${TAIL_BYTES} bytes follow]\n${this.tailText()}\n`,
        ),
      );
    }
    if (this.fd !== undefined) closeSync(this.fd);
  }

  private keepTail(chunk: Buffer): void {
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes - (this.tail[0]?.length ?? 0) >= TAIL_BYTES && this.tail.length > 1) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }
}
