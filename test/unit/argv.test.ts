// Unit tests for buildArgv: placeholders are substituted inside arguments, every value
// stays one literal argv element (no shell ever sees it), and a missing param is an error.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildArgv, MissingPlaceholderError, type ArgvContext } from '../../src/worker/argv.js';
import { readPlugin, validateManifest, type Manifest } from '../../src/spool/manifest.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spoolctl-argv-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function ctx(manifest: Partial<Manifest> = {}, attempt = 1, envDir = '/envs/abc'): ArgvContext {
  return { manifest: { id: 'job-1', plugin: 'p', ...manifest }, attempt, envDir };
}

describe('buildArgv', () => {
  it('substitutes every placeholder', () => {
    const argv = buildArgv(
      ['{env_dir}/bin/run', '{input}', '{job_id}', '{attempt}', '{params.width}'],
      ctx({ input: '/data/in.png', params: { width: 640 } }, 3),
    );
    expect(argv).toEqual(['/envs/abc/bin/run', '/data/in.png', 'job-1', '3', '640']);
  });

  it('substitutes placeholders inside a larger argument, several per argument', () => {
    const argv = buildArgv(
      ['--out=/tmp/{job_id}-{attempt}.png', '--size={params.w}x{params.h}', '{input}{input}'],
      ctx({ input: 'ab', params: { w: 3, h: 4 } }, 2),
    );
    expect(argv).toEqual(['--out=/tmp/job-1-2.png', '--size=3x4', 'abab']);
  });

  it('does not take inherited object properties for params', () => {
    expect(() => buildArgv(['{params.constructor}'], ctx({ params: {} }))).toThrow(MissingPlaceholderError);
    expect(() => buildArgv(['{params.toString}'], ctx())).toThrow(/params.toString/);
  });

  it('leaves arguments without placeholders, and unknown braces, untouched', () => {
    const template = ['convert', '{unknown}', '{params.}', '{ input }', '{}', 'a{b}c'];
    expect(buildArgv(template, ctx())).toEqual(template);
  });

  it('gives an empty string for a missing input', () => {
    expect(buildArgv(['x', '{input}', 'y'], ctx())).toEqual(['x', '', 'y']);
  });

  it('turns boolean and number params into strings', () => {
    expect(buildArgv(['{params.flag}', '{params.n}', '{params.f}'], ctx({ params: { flag: false, n: 0, f: 1.5 } }))).toEqual([
      'false',
      '0',
      '1.5',
    ]);
  });

  it('keeps a hostile value as one literal argv element', () => {
    const evil = '; rm -rf / && echo "pwned" $(id) `id` | cat > /etc/passwd';
    const argv = buildArgv(['tool', '--name={params.name}', '{params.name}'], ctx({ params: { name: evil } }));
    expect(argv).toHaveLength(3);
    expect(argv[1]).toBe(`--name=${evil}`);
    expect(argv[2]).toBe(evil);
  });

  it('does not expand placeholders or replacement patterns found inside values', () => {
    const argv = buildArgv(['{input}', '{params.a}'], ctx({ input: '{job_id} {params.a}', params: { a: "$& $1 $` $' $$" } }));
    expect(argv).toEqual(['{job_id} {params.a}', "$& $1 $` $' $$"]);
  });

  it('throws MissingPlaceholderError naming the key', () => {
    let caught: unknown;
    try {
      buildArgv(['tool', '{params.width}'], ctx({ params: { height: 1 } }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MissingPlaceholderError);
    expect((caught as Error).message).toContain('params.width');
    expect((caught as Error).message).toBe("the plugin's command uses {params.width} but the manifest has no params.width");
  });

  it('throws MissingPlaceholderError when the manifest has no params at all', () => {
    expect(() => buildArgv(['{params.mode}'], ctx())).toThrow(MissingPlaceholderError);
    expect(() => buildArgv(['{params.mode}'], ctx())).toThrow(/params\.mode/);
  });

  it('does not change the template', () => {
    const template = ['{input}', '{job_id}'];
    buildArgv(template, ctx({ input: 'x' }));
    expect(template).toEqual(['{input}', '{job_id}']);
  });

  it('runs a real process with the hostile value as one argument, never through a shell', () => {
    // Plugin and manifest come from real files, as the worker reads them.
    const marker = join(dir, 'marker');
    writeFileSync(
      join(dir, 'argv-dump.json'),
      JSON.stringify({
        name: 'argv-dump',
        command: [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', '{params.name}', '{input}'],
      }),
    );
    const plugin = readPlugin(join(dir, 'argv-dump.json'));
    const manifest = validateManifest(
      JSON.parse(JSON.stringify({ id: 'job-9', plugin: 'argv-dump', input: `x; touch ${marker}`, params: { name: `; touch ${marker}` } })),
    );
    const [cmd, ...args] = buildArgv(plugin.command, { manifest, attempt: 1, envDir: dir });
    const out = execFileSync(cmd!, args, { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([`; touch ${marker}`, `x; touch ${marker}`]);
    expect(() => readFileSync(marker)).toThrow(/ENOENT/);
  });
});
