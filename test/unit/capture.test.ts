// The worker's output capture: a real child process writes to the file it inherits, the worker
// reads it back in order, empties it between jobs, and cuts it short past the rotation size
// while a job still writes. Nothing of it is left on disk.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputCapture } from '../../src/worker/capture.js';

let dir: string;
let capture: OutputCapture;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spoolctl-capture-'));
});

afterEach(() => {
  capture?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a shell snippet with stdout and stderr on the capture file, as a plugin runs. */
function run(script: string): void {
  const r = spawnSync('sh', ['-c', script], { stdio: ['ignore', capture.fd, capture.fd] });
  expect(r.status).toBe(0);
}

function drained(): string {
  const chunks: Buffer[] = [];
  capture.drain((b) => chunks.push(b));
  return Buffer.concat(chunks).toString();
}

describe('OutputCapture', () => {
  it('leaves no file behind, even while open', () => {
    capture = new OutputCapture(dir);
    run('echo hello');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('hands over stdout and stderr in the order written, each byte once', () => {
    capture = new OutputCapture(dir);
    run('echo one; echo two >&2; echo three');
    expect(drained()).toBe('one\ntwo\nthree\n');
    expect(drained()).toBe('');
    run('echo four');
    expect(drained()).toBe('four\n');
  });

  it('starts each job empty', () => {
    capture = new OutputCapture(dir);
    run('echo from the last job');
    capture.reset();
    run('echo from this job');
    expect(drained()).toBe('from this job\n');
  });

  it('chunks that were kept stay intact after the file is read again', () => {
    capture = new OutputCapture(dir);
    const kept: Buffer[] = [];
    run('echo first');
    capture.drain((b) => kept.push(b));
    capture.reset();
    run('echo second');
    capture.drain((b) => kept.push(b));
    expect(Buffer.concat(kept).toString()).toBe('first\nsecond\n');
  });

  it('is emptied past the rotation size and keeps taking what follows', () => {
    capture = new OutputCapture(dir, 1000);
    run('head -c 1500 /dev/zero | tr "\\0" a');
    expect(drained()).toHaveLength(1500);
    run('echo after');
    expect(drained()).toBe('after\n');
  });

  it('reads in bounded chunks', () => {
    capture = new OutputCapture(dir);
    run('head -c 200000 /dev/zero | tr "\\0" b');
    const sizes: number[] = [];
    capture.drain((b) => sizes.push(b.length));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(200000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
  });

  it('does nothing once closed', () => {
    capture = new OutputCapture(dir);
    capture.close();
    expect(() => capture.drain(() => undefined)).not.toThrow();
    expect(() => capture.reset()).not.toThrow();
  });
});
