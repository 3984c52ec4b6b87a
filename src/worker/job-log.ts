/**
 * A job's log file (logs/<id>.log), appended once per attempt and bounded: past
 * worker.log_max_bytes only a tail is kept in memory and written when the attempt ends,
 * so a runaway plugin cannot fill the share.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const TAIL_BYTES = 4096;

export class JobLog {
  private fd: number;
  private written = 0;
  private dropped = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;

  constructor(path: string, private readonly maxBytes: number, header: string) {
    this.fd = openSync(path, 'a', 0o644);
    writeSync(this.fd, header);
  }

  write(chunk: Buffer): void {
    this.keepTail(chunk);
    const room = this.maxBytes - this.written;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      writeSync(this.fd, part);
      this.written += part.length;
      this.dropped += chunk.length - part.length;
    } else {
      this.dropped += chunk.length;
    }
  }

  note(line: string): void {
    writeSync(this.fd, line.endsWith('\n') ? line : `${line}\n`);
  }

  /** The last few KB of output, for the result and failed/<id>.error.json. */
  tailText(): string {
    return Buffer.concat(this.tail).subarray(-TAIL_BYTES).toString('utf8');
  }

  close(): void {
    if (this.dropped > 0) {
      writeSync(this.fd, `\n[spoolctl: ${this.dropped} bytes over worker.log_max_bytes omitted; last ${TAIL_BYTES} bytes follow]\n${this.tailText()}\n`);
    }
    closeSync(this.fd);
  }

  private keepTail(chunk: Buffer): void {
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes - (this.tail[0]?.length ?? 0) >= TAIL_BYTES && this.tail.length > 1) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }
}
