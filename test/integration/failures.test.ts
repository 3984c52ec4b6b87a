// Acceptance: a failing plugin is retried up to max_attempts, then lands in failed/ with
// the exit code and the tail of its log; a missing env_hash fails at once, naming the hash.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePluginCommand } from '../../src/demo/spool.js';
import { makeSpool, manifest, until } from '../helpers/spool.js';

describe('failures', () => {
  it('retries a failing job up to max_attempts, then fails it with exit code and log tail', async () => {
    const t = makeSpool('[jobs]\nmax_attempts = 3\n');
    t.sentinel();
    t.worker();
    t.drop('flaky.json', manifest('flaky', 'fail', { params: { code: 7 } }));
    await until('job failed', () => t.job('flaky')?.state === 'failed');
    expect(t.events('flaky').map((e) => e.type)).toEqual(['submitted', 'claimed', 'retried', 'claimed', 'retried', 'claimed', 'failed']);
    expect(t.files('failed')).toEqual(['flaky.3.json']);
    const why = JSON.parse(readFileSync(join(t.dir, 'failed', 'flaky.3.error.json'), 'utf8'));
    expect(why.exit_code).toBe(7);
    expect(why.reason).toContain('exited with code 7 (attempt 3 of 3)');
    expect(why.log_tail).toContain('upload refused: quota exceeded (exit 7)');
    const failed = t.events('flaky').at(-1)!;
    expect(failed.detail.exit_code).toBe(7);
    expect(String(failed.detail.log_tail)).toContain('quota exceeded');
    expect(t.job('flaky')).toMatchObject({ attempts: 3, last_error: 'exited with code 7 (attempt 3 of 3)' });
  });

  it('honours a manifest max_attempts of 1', async () => {
    const t = makeSpool();
    t.sentinel();
    t.worker();
    t.drop('once.json', manifest('once', 'fail', { params: { code: 2 }, max_attempts: 1 }));
    await until('job failed', () => t.job('once')?.state === 'failed');
    expect(t.events('once').map((e) => e.type)).toEqual(['submitted', 'claimed', 'failed']);
  });

  it('fails a job whose env_hash is not installed at once, naming the hash, without retry', async () => {
    const t = makeSpool();
    t.plugin('needs-env', { command: ['true'], env_hash: 'sha256-abc123' });
    t.sentinel();
    t.worker();
    t.drop('envless.json', manifest('envless', 'needs-env'));
    await until('job failed', () => t.job('envless')?.state === 'failed');
    expect(t.events('envless').map((e) => e.type)).toEqual(['submitted', 'claimed', 'failed']);
    expect(String(t.job('envless')!.last_error)).toContain('environment sha256-abc123');
    expect(String(t.job('envless')!.last_error)).toContain('is not installed');
  });

  it('kills a plugin past its timeout and counts the attempt as failed', async () => {
    const t = makeSpool('[worker]\nkill_grace_ms = 200\n');
    t.plugin('stuck', { command: fixturePluginCommand('ignores-sigterm.mjs', '60000'), timeout_s: 1, max_attempts: 1 });
    t.sentinel();
    t.worker();
    t.drop('stuck.json', manifest('stuck', 'stuck'));
    await until('job failed', () => t.job('stuck')?.state === 'failed', 20_000);
    expect(String(t.job('stuck')!.last_error)).toContain('timed out after 1s');
  });
});
