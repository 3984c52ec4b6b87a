// Unit tests for the manifest and plugin readers: schema validation, the id/name check
// against the file name, and the safe reader that refuses large files, links and FIFOs.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidFileError, SpoolIoError } from '../../src/errors.js';
import { effectivePriority, MAX_JSON_DEPTH, readLimited, readManifest, readPlugin, validateManifest } from '../../src/spool/manifest.js';

let dir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spoolctl-manifest-'));
});

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function put(name: string, content: string | Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function invalid(fn: () => unknown): InvalidFileError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidFileError);
    return err as InvalidFileError;
  }
  throw new Error('expected an InvalidFileError, but nothing was thrown');
}

describe('validateManifest', () => {
  it('accepts a full valid manifest and returns it unchanged', () => {
    const m = {
      id: 'job_1-A',
      plugin: 'resize',
      input: '/data/in.png',
      params: { width: 640, sharp: true, mode: 'fast' },
      priority: -5,
      max_attempts: 2,
      created_at: '2024-01-02T03:04:05Z',
      meta: { producer: 'scanner', nested: { any: ['thing'] } },
    };
    expect(validateManifest(m)).toBe(m);
    expect(effectivePriority(validateManifest(m))).toBe(-5);
  });

  it('defaults priority to 0', () => {
    expect(effectivePriority(validateManifest({ id: 'a', plugin: 'p' }))).toBe(0);
  });

  it('refuses a manifest without a plugin', () => {
    const err = invalid(() => validateManifest({ id: 'a' }));
    expect(err.message).toContain('fails the manifest schema');
    expect(err.message).toContain("must have required property 'plugin'");
  });

  it('refuses an unknown extra property and names it', () => {
    const err = invalid(() => validateManifest({ id: 'a', plugin: 'p', command: 'rm -rf /' }));
    expect(err.message).toContain('must NOT have additional properties "command"');
  });

  it.each([
    [{ id: '../../etc/passwd', plugin: 'p' }, '/id must match pattern'],
    [{ id: 'a'.repeat(65), plugin: 'p' }, '/id must match pattern'],
    [{ id: 'a', plugin: 'p', priority: 'high' }, '/priority must be integer'],
    [{ id: 'a', plugin: 'p', priority: 1.5 }, '/priority must be integer'],
    [{ id: 'a', plugin: 'p', max_attempts: 0 }, '/max_attempts must be >= 1'],
    [{ id: 'a', plugin: 'p', params: { k: { nested: 1 } } }, '/params/k must be string,number,boolean'],
    [{ id: 'a', plugin: 'p', params: { 'bad key': 1 } }, '/params must match pattern'],
    [{ id: 'a', plugin: 'p', meta: [] }, '/meta must be object'],
  ])('refuses %j', (data, reason) => {
    expect(invalid(() => validateManifest(data)).message).toContain(reason);
  });

  it.each([[null], [[]], ['a string'], [42]])('refuses a top level that is not an object (%j)', (data) => {
    expect(invalid(() => validateManifest(data)).message).toContain('(top level) must be object');
  });
});

describe('readManifest', () => {
  it('reads a valid manifest file', () => {
    const path = put('job-1.json', { id: 'job-1', plugin: 'echo', params: { n: 3 } });
    expect(readManifest(path, 'job-1', 4096)).toEqual({ id: 'job-1', plugin: 'echo', params: { n: 3 } });
  });

  it('refuses a manifest whose id differs from its file name', () => {
    const path = put('job-1.json', { id: 'someone-else', plugin: 'echo' });
    const err = invalid(() => readManifest(path, 'job-1', 4096));
    expect(err.message).toBe('has id "someone-else" but its file name says "job-1"');
  });

  it('refuses a manifest without a plugin', () => {
    const path = put('job-1.json', { id: 'job-1' });
    expect(invalid(() => readManifest(path, 'job-1', 4096)).message).toContain("required property 'plugin'");
  });

  it('refuses an unknown extra property', () => {
    const path = put('job-1.json', { id: 'job-1', plugin: 'echo', shell: true });
    expect(invalid(() => readManifest(path, 'job-1', 4096)).message).toContain('additional properties "shell"');
  });

  it.each([
    ['', 'empty'],
    ['{"id": "job-1", "plugin": "echo",', 'truncated'],
    ['{id: job-1}', 'not JSON'],
  ])('refuses invalid JSON %j (%s)', (text) => {
    const path = put('job-1.json', text);
    expect(invalid(() => readManifest(path, 'job-1', 4096)).message).toMatch(/^is not valid JSON \(/);
  });

  it('refuses an oversized file with the size and the limit', () => {
    const path = put('big.json', { id: 'big', plugin: 'p', meta: { pad: 'x'.repeat(5000) } });
    const err = invalid(() => readManifest(path, 'big', 4096));
    expect(err.message).toMatch(/^is \d+ bytes, over the 4096-byte limit \(jobs\.max_manifest_bytes\)$/);
  });

  it('refuses 100000 levels of "[" as nested too deeply, not with a crash', () => {
    const path = put('deep.json', '['.repeat(100_000));
    expect(invalid(() => readManifest(path, 'deep', 1 << 20)).message).toMatch(/^is nested too deeply/);
  });

  it('refuses balanced nesting past the limit anywhere in the document', () => {
    const over = MAX_JSON_DEPTH;
    const deepObject = put('deep2.json', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
    expect(invalid(() => readManifest(deepObject, 'deep2', 1 << 20)).message).toMatch(/^is nested too deeply/);
    const deepParam = put('deep3.json', `{"id":"deep3","plugin":"p","params":{"k":${'['.repeat(over)}${']'.repeat(over)}}}`);
    expect(invalid(() => readManifest(deepParam, 'deep3', 1 << 20)).message).toMatch(/^is nested too deeply/);
  });

  it('accepts nesting up to the limit and does not count brackets inside strings', () => {
    const arrays = MAX_JSON_DEPTH - 2; // inside the top-level object and meta
    const text = `{"id":"ok","plugin":"p","meta":{"k":${'['.repeat(arrays)}"[[[{{\\"[["${']'.repeat(arrays)}}}`;
    const path = put('ok.json', text);
    expect(readManifest(path, 'ok', 1 << 20).id).toBe('ok');
  });
});

describe('readLimited', () => {
  it('reads a regular file whose size is exactly the limit', () => {
    const path = put('a.json', 'x'.repeat(100));
    expect(readLimited(path, 100)).toBe('x'.repeat(100));
  });

  it('reads UTF-8 content', () => {
    const path = put('a.json', '{"input":"\u00e9t\u00e9 \u2603"}');
    expect(readLimited(path, 100)).toBe('{"input":"\u00e9t\u00e9 \u2603"}');
  });

  it('refuses a file one byte over the limit', () => {
    const path = put('a.json', 'x'.repeat(101));
    expect(invalid(() => readLimited(path, 100)).message).toBe('is 101 bytes, over the 100-byte limit (jobs.max_manifest_bytes)');
  });

  it('refuses a huge (sparse) file from its size, without reading it', () => {
    const path = join(dir, 'huge.json');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 1 << 30);
    closeSync(fd);
    const started = Date.now();
    const err = invalid(() => readLimited(path, 256));
    expect(err.message).toBe(`is ${1 << 30} bytes, over the 256-byte limit (jobs.max_manifest_bytes)`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a symbolic link, even to a valid manifest', () => {
    const target = put('real.json', { id: 'link', plugin: 'p' });
    const link = join(dir, 'link.json');
    symlinkSync(target, link);
    expect(invalid(() => readLimited(link, 4096)).message).toBe('is a symbolic link; manifests must be regular files');
    expect(invalid(() => readManifest(link, 'link', 4096)).message).toContain('symbolic link');
  });

  it('refuses a dangling symbolic link as a link', () => {
    const link = join(dir, 'dangling.json');
    symlinkSync(join(dir, 'nowhere.json'), link);
    expect(invalid(() => readLimited(link, 4096)).message).toContain('symbolic link');
  });

  it('refuses a FIFO without blocking', () => {
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    // Safety net: if the reader did block on the FIFO, this writer opens it after 3 s (the
    // time is only a hang guard), leaving a mark first: the test then fails on the mark
    // instead of hanging the run.
    const came = join(dir, 'writer-came');
    children.push(spawn('sh', ['-c', 'sleep 3; : > "$2"; exec 3> "$1"', 'sh', fifo, came], { stdio: 'ignore' }));
    const err = invalid(() => readLimited(fifo, 4096));
    expect(existsSync(came), 'the reader blocked until the writer came').toBe(false);
    expect(err.message).toContain('is not a regular file');
  });

  it('refuses a directory', () => {
    const sub = join(dir, 'sub.json');
    mkdirSync(sub);
    expect(invalid(() => readLimited(sub, 4096)).message).toBe('is not a regular file (FIFO, device or directory)');
  });

  it('reports a missing file as an I/O error naming the path', () => {
    const path = join(dir, 'gone.json');
    let caught: unknown;
    try {
      readLimited(path, 4096);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SpoolIoError);
    expect((caught as SpoolIoError).errno.code).toBe('ENOENT');
    expect((caught as SpoolIoError).message).toContain(path);
  });
});

describe('readPlugin', () => {
  it('reads a valid plugin', () => {
    const def = {
      name: 'resize',
      command: ['/usr/bin/convert', '{input}', '-resize', '{params.width}'],
      timeout_s: 60,
      env_hash: 'img-1.2',
    };
    const path = put('resize.json', def);
    expect(readPlugin(path)).toEqual(def);
  });

  it('refuses a command given as a shell string', () => {
    const path = put('shelly.json', { name: 'shelly', command: 'convert {input} | sh' });
    const err = invalid(() => readPlugin(path));
    expect(err.message).toBe('shelly.json fails the plugin schema: /command must be array');
  });

  it('refuses an empty command', () => {
    const path = put('empty.json', { name: 'empty', command: [] });
    expect(invalid(() => readPlugin(path)).message).toContain('/command must NOT have fewer than 1 items');
  });

  it('refuses a command with a non-string element', () => {
    const path = put('mixed.json', { name: 'mixed', command: ['echo', 1] });
    expect(invalid(() => readPlugin(path)).message).toContain('/command/1 must be string');
  });

  it('refuses an unknown property such as "shell"', () => {
    const path = put('sh.json', { name: 'sh', command: ['echo'], shell: true });
    expect(invalid(() => readPlugin(path)).message).toContain('must NOT have additional properties "shell"');
  });

  it('refuses a plugin whose name differs from its file name', () => {
    const path = put('resize.json', { name: 'other', command: ['echo'] });
    expect(invalid(() => readPlugin(path)).message).toBe('resize.json has name "other" but its file name says "resize"');
  });

  it('refuses a plugin file that is a symbolic link', () => {
    const target = put('real.json', { name: 'linked', command: ['echo'] });
    const link = join(dir, 'linked.json');
    symlinkSync(target, link);
    expect(invalid(() => readPlugin(link)).message).toContain('symbolic link');
  });

  it('refuses invalid JSON', () => {
    const path = put('bad.json', '{"name": "bad", "command": [');
    expect(invalid(() => readPlugin(path)).message).toMatch(/^is not valid JSON/);
  });
});
