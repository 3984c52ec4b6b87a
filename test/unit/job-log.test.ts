// Unit tests for JobLog: a job's log file stays bounded (header + maxBytes + one tail
// section) however much a plugin writes, and tailText() is the latest output.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobLog } from '../../src/worker/job-log.js';

const TAIL_BYTES = 4096;
let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spoolctl-joblog-'));
  path = join(dir, 'job-1.log');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Numbered lines, so any cut shows which part of the output survived. */
function lines(from: number, to: number): string {
  let s = '';
  for (let i = from; i <= to; i++) s += `line ${String(i).padStart(6, '0')}\n`;
  return s;
}

describe('JobLog', () => {
  it('under the limit writes the header and the whole output, with no omission note', () => {
    const log = new JobLog(path, 10_000, '== attempt 1 ==\n');
    log.write(Buffer.from('hello\n'));
    log.write(Buffer.from('world\n'));
    expect(log.tailText()).toBe('hello\nworld\n');
    log.close();
    expect(readFileSync(path, 'utf8')).toBe('== attempt 1 ==\nhello\nworld\n');
  });

  it('an attempt with nothing to say creates no file', () => {
    const log = new JobLog(path, 1024, 'H\n');
    log.close();
    expect(existsSync(path)).toBe(false);
  });

  it('note() adds a line, with a newline only when missing', () => {
    const log = new JobLog(path, 1024, 'H\n');
    log.note('exit 0');
    log.note('done\n');
    log.close();
    expect(readFileSync(path, 'utf8')).toBe('H\nexit 0\ndone\n');
  });

  it('past maxBytes keeps the file bounded: header + first maxBytes + a tail section', () => {
    const header = '== job-1 attempt 1 ==\n';
    const maxBytes = 2048;
    const output = lines(1, 20_000); // 240,000 bytes
    const total = Buffer.byteLength(output);
    const log = new JobLog(path, maxBytes, header);
    // In pipe-sized chunks, as a child's stdout arrives.
    for (let off = 0; off < output.length; off += 1000) log.write(Buffer.from(output.slice(off, off + 1000)));

    const tail = log.tailText();
    expect(tail).toBe(output.slice(-TAIL_BYTES));
    expect(tail.endsWith('line 020000\n')).toBe(true);
    expect(statSync(path).size).toBe(Buffer.byteLength(header) + maxBytes);

    log.close();
    const text = readFileSync(path, 'utf8');
    const note = `\n[spoolctl: ${total - maxBytes} bytes over worker.log_max_bytes omitted; last ${TAIL_BYTES} bytes follow]\n`;
    expect(text).toBe(`${header}${output.slice(0, maxBytes)}${note}${output.slice(-TAIL_BYTES)}\n`);
    expect(statSync(path).size).toBe(Buffer.byteLength(header) + maxBytes + Buffer.byteLength(note) + TAIL_BYTES + 1);
    expect(text).not.toContain('line 010000');
  });

  it('stays bounded for a single huge chunk', () => {
    const output = lines(1, 100_000); // 1.2 MB in one write
    const log = new JobLog(path, 1024, 'H\n');
    log.write(Buffer.from(output));
    expect(log.tailText()).toBe(output.slice(-TAIL_BYTES));
    log.close();
    const size = statSync(path).size;
    expect(size).toBeLessThan(2 + 1024 + 200 + TAIL_BYTES + 1);
    expect(readFileSync(path, 'utf8').endsWith('line 100000\n\n')).toBe(true);
  });

  it('splits the chunk that crosses the limit exactly at maxBytes', () => {
    const log = new JobLog(path, 10, '');
    log.write(Buffer.from('123456'));
    log.write(Buffer.from('789ABCDEF'));
    log.close();
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('123456789A\n[spoolctl: 5 bytes over worker.log_max_bytes omitted;')).toBe(true);
    expect(text.endsWith(']\n123456789ABCDEF\n')).toBe(true);
  });

  it('tailText() is the last output even when it is shorter than the tail size', () => {
    const log = new JobLog(path, 1024, '');
    expect(log.tailText()).toBe('');
    log.write(Buffer.from('a'.repeat(100)));
    log.write(Buffer.from('b'.repeat(5000)));
    log.write(Buffer.from('the end'));
    expect(log.tailText()).toBe(`${'b'.repeat(TAIL_BYTES - 7)}the end`);
    log.close();
  });

  it('appends to an existing log (one section per attempt)', () => {
    writeFileSync(path, 'attempt 1 output\n');
    const log = new JobLog(path, 1024, '== attempt 2 ==\n');
    log.write(Buffer.from('second\n'));
    log.close();
    expect(readFileSync(path, 'utf8')).toBe('attempt 1 output\n== attempt 2 ==\nsecond\n');
  });

  it('each attempt has its own byte budget', () => {
    const first = new JobLog(path, 1024, 'A1\n');
    first.write(Buffer.from('x'.repeat(1024)));
    first.close();
    const second = new JobLog(path, 1024, 'A2\n');
    second.write(Buffer.from('y'.repeat(1024)));
    second.close();
    expect(readFileSync(path, 'utf8')).toBe(`A1\n${'x'.repeat(1024)}A2\n${'y'.repeat(1024)}`);
  });
});
