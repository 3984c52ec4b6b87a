// Acceptance (README, "Support bundle"): `support-bundle` writes one tar.gz that GNU tar reads,
// with each part (doctor, status, config with origins, workers, versions, the newest ledger
// events, the services' records and log tails), and no value of anything named like a secret:
// not from the environment, not from a plugin's output that reached the ledger or a log.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

const SECRETS = { MY_DB_PASSWORD: 'hunter2-from-env', SPOOLCTL_API_TOKEN: 's3cr3t-from-env' };
const running: TestSpool[] = [];
afterEach(() => {
  for (const t of running.splice(0)) t.run(['stop-services']);
});

/** Every file of the bundle, by its path inside it, as GNU tar unpacks it. */
function unpack(bundle: string): Map<string, string> {
  const into = mkdtempSync(join(tmpdir(), 'spoolctl-bundle-'));
  execFileSync('tar', ['-xzf', bundle, '-C', into]);
  const files = new Map<string, string>();
  for (const f of readdirSync(into, { recursive: true, encoding: 'utf8' })) {
    try {
      files.set(f, readFileSync(join(into, f), 'utf8'));
    } catch {
      // a directory
    }
  }
  return files;
}

describe('support-bundle', () => {
  it('holds every part, and no secret from the environment, the ledger or a log', async () => {
    const t = makeSpool('[worker]\nheartbeat_ms = 200\n');
    t.plugin('leaky', {
      command: ['sh', '-c', 'echo "connecting with db_password=hunter2-in-output api_token: s3cr3t-in-output"; exit 3'],
      max_attempts: 1,
    });
    const started = t.run(['start-services', '--workers', '1'], SECRETS);
    expect(started.code, started.stderr).toBe(0);
    running.push(t);
    t.drop('leak-1.json', manifest('leak-1', 'leaky'));
    t.drop('ok-1.json', manifest('ok-1', 'noop'));
    await until('both finished', () => t.job('leak-1')?.state === 'failed' && t.job('ok-1')?.state === 'done', 20_000);
    expect(JSON.stringify(t.events('leak-1'))).toContain('hunter2-in-output');

    const bundle = join(mkdtempSync(join(tmpdir(), 'spoolctl-out-')), 'support.tar.gz');
    const made = t.run(['support-bundle', '--out', bundle, '--events', '50'], SECRETS);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^wrote .*support\.tar\.gz \(\d+ files\)$/m);
    const listed = execFileSync('tar', ['-tzf', bundle], { encoding: 'utf8' }).trim().split('\n');
    const host = JSON.parse(t.run(['status', '--json']).stdout).sentinel.host as string;
    for (const part of [
      'README.txt',
      'versions.json',
      'environment.json',
      'config.json',
      'doctor.json',
      'status.json',
      'workers.json',
      'ledger-tail.jsonl',
      `services/${host}.json`,
    ])
      expect(listed, part).toContain(part);
    expect(listed.filter((n) => n.startsWith(`logs/services/${host}/`)).length).toBeGreaterThanOrEqual(2);
    expect(
      listed.some((n) => n.endsWith('.error.txt')),
      listed.join(' '),
    ).toBe(false);

    const files = unpack(bundle);
    for (const [name, text] of files) {
      for (const secret of ['hunter2', 's3cr3t']) expect(text.includes(secret), `${secret} in ${name}`).toBe(false);
    }
    const env = JSON.parse(files.get('environment.json')!) as Record<string, string>;
    expect(env).toMatchObject({ MY_DB_PASSWORD: '[redacted]', SPOOLCTL_API_TOKEN: '[redacted]' });
    const events = files
      .get('ledger-tail.jsonl')!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; job: string; detail: { log_tail?: string } });
    expect(events.length).toBeLessThanOrEqual(50);
    expect(events.find((e) => e.job === 'leak-1' && e.type === 'failed')?.detail.log_tail).toContain(
      'db_password=[redacted] api_token: [redacted]',
    );
    const status = JSON.parse(files.get('status.json')!) as { counts: Record<string, number> };
    expect(status.counts).toMatchObject({ done: 1, failed: 1 });
    const config = JSON.parse(files.get('config.json')!) as {
      config: { worker: { heartbeat_ms: number } };
      origins: Record<string, string>;
    };
    expect(config.config.worker.heartbeat_ms).toBe(200);
    expect(config.origins['worker.heartbeat_ms']).toContain('spool.toml');
    expect(JSON.parse(files.get('doctor.json')!)).toHaveProperty('checks');
    expect(JSON.parse(files.get('versions.json')!)).toMatchObject({ node: process.version });
    expect(files.get('README.txt')).toContain('[redacted]');
  });

  it('still writes a bundle where there is no spool, saying why that part is missing', () => {
    const nowhere = mkdtempSync(join(tmpdir(), 'spoolctl-nospool-'));
    const bundle = join(nowhere, 'b.tar.gz');
    const out = execFileSync(
      process.execPath,
      [join(import.meta.dirname, '..', '..', 'bin', 'spoolctl.js'), '--spool', join(nowhere, 'missing'), 'support-bundle', '--out', bundle],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(out).toContain('wrote');
    const files = unpack(bundle);
    expect(files.get('spool.error.txt')).toMatch(/is not a spool/);
    expect(files.has('versions.json')).toBe(true);
  });
});
