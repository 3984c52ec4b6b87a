// Acceptance (issue: the sysadmin's daily tool, item 7): a usage error, in any command, is one
// line on stderr naming the mistake and where help is, nothing on stdout, exit 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';

// No spool anywhere: a usage error must be found before any command looks for one.
const cwd = mkdtempSync(join(tmpdir(), 'spoolctl-usage-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function spoolctl(args: string[]) {
  const [exe, ...pre] = selfCommand() as [string, ...string[]];
  const env = { ...process.env };
  delete env.SPOOLCTL_SPOOL;
  const r = spawnSync(exe, [...pre, ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CASES: [what: string, args: string[], line: string][] = [
  ['unknown command', ['bogus'], "spoolctl: unknown command 'bogus'. See 'spoolctl --help'."],
  ['misspelt command', ['stauts'], "spoolctl: unknown command 'stauts' (did you mean status?). See 'spoolctl --help'."],
  ['unknown subcommand', ['jobs', 'bogus'], "spoolctl: unknown command 'bogus'. See 'spoolctl jobs --help'."],
  ['help on an unknown command', ['help', 'bogus'], "spoolctl: unknown command 'bogus'. See 'spoolctl --help'."],
  ['no command', [], "spoolctl: missing command. See 'spoolctl --help'."],
  ['a group without its command', ['ledger'], "spoolctl: missing command (verify, rebuild). See 'spoolctl ledger --help'."],
  ['unknown option', ['status', '--bogus'], "spoolctl: unknown option '--bogus'. See 'spoolctl status --help'."],
  ['unknown option of a subcommand', ['workers', 'list', '--all'], "spoolctl: unknown option '--all'. See 'spoolctl workers list --help'."],
  [
    'an id that starts with "-"',
    ['jobs', 'show', '-abc'],
    "spoolctl: unknown option '-abc'. Ids that start with '-' go after '--': spoolctl jobs show -- -abc. See 'spoolctl jobs show --help'.",
  ],
  ['missing argument', ['jobs', 'show'], "spoolctl: missing required argument 'id'. See 'spoolctl jobs show --help'."],
  ['missing argument of a top-level command', ['init'], "spoolctl: missing required argument 'dir'. See 'spoolctl init --help'."],
  [
    'missing option value',
    ['jobs', 'list', '--limit'],
    "spoolctl: option '--limit <n>' argument missing. See 'spoolctl jobs list --help'.",
  ],
  ['submit naming no plugin', ['submit'], 'spoolctl: Name the job with --plugin P (or give --manifests-from FILE).'],
  [
    'too many arguments',
    ['status', 'extra'],
    "spoolctl: too many arguments for 'status'. Expected 0 arguments but got 1. See 'spoolctl status --help'.",
  ],
  ['bad option value', ['start-services', '--workers', '9'], 'spoolctl: --workers takes a number from 1 to 8 (got "9").'],
  ['bad option value of a subcommand', ['jobs', 'log', 'x', '--bytes', 'abc'], 'spoolctl: --bytes takes a whole number (got "abc").'],
  ['bad global option value', ['--set', 'nodot', 'status'], 'spoolctl: --set takes section.key=value (got "nodot").'],
  [
    'two spools for a command that works on one',
    ['--spool', '/a', 'jobs', 'list', '--spool', '/b'],
    "spoolctl: --spool can be given once for this command; only status and tui take several. See 'spoolctl jobs list --help'.",
  ],
  [
    'two spools for a command that opens none',
    ['--spool', '/a', '--spool', '/b', 'failpoints'],
    "spoolctl: --spool can be given once for this command; only status and tui take several. See 'spoolctl failpoints --help'.",
  ],
];

describe('usage errors', () => {
  it.each(CASES)('%s: one line on stderr, nothing on stdout, exit 2', (_what, args, line) => {
    const r = spoolctl(args);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.code).toBe(2);
  });

  it('help itself is still the whole help, on stdout, exit 0', () => {
    const r = spoolctl(['jobs', '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Usage: spoolctl jobs [options] [command]');
  });
});
