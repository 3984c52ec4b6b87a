// Acceptance (issue: the sysadmin's daily tool, item 8): `spoolctl completion bash` defines a
// completion that a real bash runs, with COMP_WORDS and COMP_CWORD set as bash sets them, to
// commands, subcommands, options, the spool's plugin names and job ids; every command the help
// lists completes; the man page built from the same definitions renders with man(1) and ships.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { makeSpool, manifest, type TestSpool } from '../helpers/spool.js';

const root = packageRoot();
// `spoolctl` on PATH, as the script calls it: this checkout's launcher.
const binDir = mkdtempSync(join(tmpdir(), 'spoolctl-bin-'));
symlinkSync(join(root, 'bin', 'spoolctl.js'), join(binDir, 'spoolctl'));
afterAll(() => rmSync(binDir, { recursive: true, force: true }));

function bash(script: string, env: NodeJS.ProcessEnv = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, PATH: `${binDir}:${process.env.PATH}` };
  delete base.SPOOLCTL_SPOOL;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...base, ...env }, cwd: binDir });
  if (r.error) throw new Error(`bash did not run: ${r.error.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What bash's completion offers for `words` (the last one being completed), one a line. */
function complete(words: string[], env: NodeJS.ProcessEnv = {}): string[] {
  const quoted = ['spoolctl', ...words].map((w) => `'${w}'`).join(' ');
  const r = bash(
    `source <(spoolctl completion bash) && COMP_WORDS=(${quoted}) && COMP_CWORD=${words.length} && { _spoolctl; printf '%s\\n' "\${COMPREPLY[@]}"; }`,
    env,
  );
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

function spoolWithJobs(): TestSpool {
  const t = makeSpool();
  t.plugin('thumbnail', { command: ['true'] });
  t.plugin('thumbs-up', { command: ['true'] });
  t.drop('scan-001.json', manifest('scan-001', 'thumbnail'));
  writeFileSync(join(t.dir, 'held', 'scan-002.json'), JSON.stringify(manifest('scan-002', 'thumbnail')));
  writeFileSync(join(t.dir, 'failed', 'scan-003.2.json'), JSON.stringify(manifest('scan-003', 'thumbnail')));
  mkdirSync(join(t.dir, 'done', '2026-12-03'), { recursive: true });
  writeFileSync(join(t.dir, 'done', '2026-12-03', 'scan-004.1.json'), JSON.stringify(manifest('scan-004', 'thumbnail')));
  return t;
}

/** The command names `spoolctl [COMMAND] --help` lists. */
function helpCommands(args: string[]): string[] {
  const r = bash(`spoolctl ${args.join(' ')} --help`);
  const section = r.stdout.split('Commands:\n')[1] ?? '';
  return [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
}

describe('shell completion', () => {
  it('bash sources the script and registers the completion', () => {
    const r = bash('source <(spoolctl completion bash); complete -p spoolctl');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('complete -o default -F _spoolctl spoolctl');
  });

  it('completes commands, subcommands and options, all read from the command definitions', () => {
    expect(complete(['jo'])).toEqual(['jobs']);
    expect(complete(['jobs', 're'])).toEqual(['requeue', 'release']);
    expect(complete(['status', '--j'])).toEqual(['--json']);
    expect(complete(['worker', '--log-format', ''])).toEqual(['human', 'json']);
    expect(complete(['--spool', '/x', 'sta'])).toEqual(['start-services', 'status']);
    expect(complete(['completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(complete([''])).toEqual(helpCommands([]));
    for (const group of ['jobs', 'workers', 'ledger', 'config']) expect(complete([group, ''])).toEqual(helpCommands([group]));
  });

  it("completes the spool's plugin names and job ids, from --spool or SPOOLCTL_SPOOL", () => {
    const t = spoolWithJobs();
    expect(complete(['--spool', t.dir, 'submit', '--plugin', 'thu'])).toEqual(['thumbnail', 'thumbs-up']);
    expect(complete(['run', '--plugin', 'thumbn'], { SPOOLCTL_SPOOL: t.dir })).toEqual(['thumbnail']);
    expect(complete(['--spool', t.dir, 'jobs', 'show', 'scan-'])).toEqual(['scan-001', 'scan-002', 'scan-003', 'scan-004']);
    expect(complete(['jobs', 'requeue', '--yes', 'scan-001', 'scan-00'], { SPOOLCTL_SPOOL: t.dir })).toEqual([
      'scan-001',
      'scan-002',
      'scan-003',
      'scan-004',
    ]);
    // No spool: nothing to offer, and no error on the terminal.
    expect(complete(['jobs', 'show', 'scan-'])).toEqual([]);
  });

  it('zsh and fish complete through the same completer, files when it has nothing', () => {
    const t = spoolWithJobs();
    const env = { SPOOLCTL_SPOOL: t.dir };
    // zsh's completion system, with compadd and _files standing in for the line editor.
    const zsh = bash(
      `zsh -c 'autoload -Uz compinit && compinit -u -d ${binDir}/zcompdump; source <(spoolctl completion zsh); print -r -- \${_comps[spoolctl]}; ` +
        `compadd() { print -l -- "\${(@P)\${@[-1]}}" }; _files() { print FILES }; ` +
        `words=(spoolctl jobs show scan-00); CURRENT=4; _spoolctl; words=(spoolctl init /t); CURRENT=3; _spoolctl'`,
      env,
    );
    expect(zsh.code, zsh.stderr).toBe(0);
    expect(zsh.stdout.split('\n').filter(Boolean)).toEqual(['_spoolctl', 'scan-001', 'scan-002', 'scan-003', 'scan-004', 'FILES']);
    const fish = bash(
      `fish -c 'spoolctl completion fish | source; complete -C"spoolctl submit --plugin thu"; complete -C"spoolctl init ${binDir}/spo"'`,
      env,
    );
    expect(fish.code, fish.stderr).toBe(0);
    expect(fish.stdout.split('\n').filter(Boolean)).toEqual(['thumbnail', 'thumbs-up', `${binDir}/spoolctl`]);
    const bad = bash('spoolctl completion tcsh');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "spoolctl: command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish. See 'spoolctl completion --help'.\n",
    );
  });
});

describe('man page', () => {
  const page = join(root, 'man', 'spoolctl.1');

  it('is built from the command definitions and man(1) renders it without a warning', () => {
    expect(existsSync(page), 'npm run build writes man/spoolctl.1').toBe(true);
    const r = spawnSync('man', ['-l', page], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200', MAN_KEEP_FORMATTING: '' } });
    if (r.error) throw new Error(`man(1) is needed to check the man page (.ci/run installs man-db): ${r.error.message}`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^SPOOLCTL\(1\)/);
    for (const cmd of helpCommands([])) expect(r.stdout).toContain(`spoolctl ${cmd}`);
    for (const sub of helpCommands(['jobs'])) expect(r.stdout).toContain(`spoolctl jobs ${sub}`);
    expect(r.stdout).toContain('--log-format <format>');
  });

  it('ships in the npm package, which names it for man', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { man: string[] };
    // An array: npm links a man page at global install only from one.
    expect(pkg.man).toEqual(['./man/spoolctl.1']);
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain('man/spoolctl.1');
  });
});
