// The layers hold: spool paths are built only by src/spool/layout.ts, SQL lives only in
// src/ledger, src/spool (files) does not reach into src/ledger (SQL), the hash chain's rule in
// src/chain knows neither, and no source file grows past what a newcomer can read in one sitting.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const MAX_LINES = 300;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => join(dir, f));
}

const ALL = [...sources('src'), ...sources('tui')].map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));

// Every field of Layout, reached as `l.x`, `s.l.x`, `ctx.l.x`: the names the layout is held by.
const FIELDS =
  'root|tmp|pending|claimed|done|failed|held|rejected|cancelled|results|control|acks|slots|logs|plugins|ledgerDir|journal|config|sentinelLockTarget|sentinelInfo';
const FIELD = `(?:[\\w.]+\\.)?l\\.(?:${FIELDS})\\b`;

/**
 * What counts as building or parsing a spool path:
 * - join( whose first argument is a Layout field: a name appended to a spool directory;
 * - a Layout field interpolated in a template string and followed by `/`;
 * - relative( from a Layout field, or a Layout field's .length (slicing a path back to a name).
 */
const PATH_RULES: [string, RegExp][] = [
  ['join() from a Layout field', new RegExp(`\\bjoin\\(\\s*${FIELD}`)],
  ['template string from a Layout field', new RegExp(`\\$\\{${FIELD}\\}/`)],
  ['relative() from a Layout field', new RegExp(`\\brelative\\(\\s*${FIELD}`)],
  ["slicing by a Layout field's length", new RegExp(`${FIELD}\\.length\\b`)],
];

/** better-sqlite3 calls, and SQL statements in string literals. */
const SQL_RULES: [string, RegExp][] = [
  ['a prepared statement', /\.prepare\(/],
  ['a pragma', /\.pragma\(/],
  ['db.exec()', /\bdb\.exec\(/],
  ['SQL in a string', /['"`]\s*(?:SELECT\b|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|CREATE\s+(?:TABLE|INDEX)\b|PRAGMA\b)/],
];

function offences(rules: [string, RegExp][], allowed: (file: string) => boolean): string[] {
  const found: string[] = [];
  for (const { file, text } of ALL) {
    if (allowed(file)) continue;
    text.split('\n').forEach((line, i) => {
      for (const [what, re] of rules) if (re.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
    });
  }
  return found;
}

/** The modules a file imports: src-relative paths for its own, bare names for packages and node:. */
function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gm)].map(([, spec]) =>
    spec!.startsWith('.') ? join(dirname(file), spec!) : spec!,
  );
}

/** Imports from a layer that `banned` names, by files under `dir`. */
function crossings(dir: string, banned: (spec: string) => boolean): string[] {
  return ALL.filter(({ file }) => file.startsWith(join('src', dir) + '/')).flatMap(({ file, text }) =>
    importsOf(file, text)
      .filter(banned)
      .map((spec) => `${file} imports ${spec}`),
  );
}

const inside = (dir: string) => (spec: string) => spec.startsWith(join('src', dir) + '/');

describe('layers', () => {
  it('builds spool paths only in src/spool/layout.ts', () => {
    expect(offences(PATH_RULES, (f) => f === join('src', 'spool', 'layout.ts'))).toEqual([]);
  });

  it('keeps SQL in src/ledger', () => {
    expect(offences(SQL_RULES, (f) => f.startsWith(join('src', 'ledger') + '/'))).toEqual([]);
  });

  it('keeps src/spool out of src/ledger, and src/chain out of both and off the filesystem', () => {
    expect(crossings('spool', inside('ledger'))).toEqual([]);
    const offLimits = (spec: string) => inside('ledger')(spec) || inside('spool')(spec) || /^node:(fs|path)/.test(spec);
    expect(crossings('chain', offLimits)).toEqual([]);
    expect(importsOf(join('src', 'spool', 'x.ts'), "import type { Db } from '../ledger/open.js';")).toEqual([
      join('src', 'ledger', 'open.js'),
    ]);
  });

  it(`keeps every file under src/ and tui/ within ${MAX_LINES} lines`, () => {
    const long = ALL.map(({ file, text }) => ({
      file: relative('.', file),
      lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
    }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    const caught = (rules: [string, RegExp][], line: string) => rules.some(([, re]) => re.test(line));
    expect(caught(PATH_RULES, "join(ctx.l.claimed, 'slot-1')")).toBe(true);
    expect(caught(PATH_RULES, 'const p = `${l.pending}/${name}`;')).toBe(true);
    expect(caught(PATH_RULES, 'relative(s.l.root, path)')).toBe(true);
    expect(caught(PATH_RULES, 'path.slice(l.root.length + 1)')).toBe(true);
    expect(caught(PATH_RULES, 'say(`spool ready at ${l.root}`)')).toBe(false);
    expect(caught(SQL_RULES, "db.prepare('SELECT count(*) AS n FROM events')")).toBe(true);
    expect(caught(SQL_RULES, '"DELETE FROM jobs"')).toBe(true);
    expect(caught(SQL_RULES, '/^Uid:\\s+(\\d+)/m.exec(text)')).toBe(false);
  });
});
