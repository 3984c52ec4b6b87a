// Acceptance (issue: the sysadmin's daily tool, item 12): the README's Quick start, as printed,
// runs line by line in a fresh directory: `npm install -g .` of this checkout (into a prefix of
// its own, with no registry), then init, a plugin, start-services, submit, status and
// stop-services, which leaves no spoolctl process of that spool behind.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';

const root = packageRoot();
const work = mkdtempSync(join(tmpdir(), 'spoolctl-quickstart-'));
afterAll(() => {
  // Whatever the outcome, stop what the Quick start may have left before removing its spool.
  spawnSync(join(work, 'prefix', 'bin', 'spoolctl'), ['--spool', join(work, 'spool'), 'stop-services']);
  rmSync(work, { recursive: true, force: true });
});

function quickStart(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## Quick start"');
  return block;
}

/** Processes whose command line or environment names the spool. */
function processesOf(spool: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (args.includes(spool) || env.includes(`SPOOLCTL_SPOOL=${spool}`)) found.push(`${pid}: ${args.join(' ')}`);
    } catch {
      // exited, or not ours to read
    }
  }
  return found;
}

describe('README Quick start', () => {
  it('runs as printed and stop-services leaves no spoolctl process behind', () => {
    const spool = join(work, 'spool');
    const lines = quickStart().replaceAll('/srv/spool', spool).split('\n');
    const install = lines.findIndex((l) => l.startsWith('npm install -g .'));
    expect(install, 'the Quick start installs spoolctl with npm install -g .').toBe(0);
    // The install runs in the checkout; everything after it in a fresh directory.
    const script = ['set -euo pipefail', `cd '${root}'`, lines[0], `cd '${work}'`, ...lines.slice(1)].join('\n');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${join(work, 'prefix', 'bin')}:${process.env.PATH}`,
      // A prefix of its own, and no registry: the checkout has everything already.
      npm_config_prefix: join(work, 'prefix'),
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    delete env.SPOOLCTL_SPOOL;
    const r = spawnSync('bash', ['-xc', script], { cwd: work, env, encoding: 'utf8', timeout: 180_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^Started on .*: supervisor pid \d+, sentinel pid \d+$/m);
    expect(r.stdout).toMatch(/^Services stopped\./m);
    expect(processesOf(spool)).toEqual([]);
  }, 200_000);
});
