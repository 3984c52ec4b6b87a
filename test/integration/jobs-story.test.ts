// `jobs show` tells a job's whole story (input, params, each attempt with its host, slot,
// times, exit and the plugin's last line); `jobs list` sorts, filters by time and by
// `running`, shows INPUT and DURATION, colours states only on a terminal, and lists the
// job files of a spool that has no ledger yet.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { selfCommand } from '../../src/paths.js';
import { ESC, visible } from '../helpers/ansi.js';
import { makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

/** `jobs list` on a pseudo-terminal `cols` wide (script(1)), with `env`. */
function onTerminal(t: TestSpool, args: string[], cols: number, env: NodeJS.ProcessEnv = {}): string {
  const command = [...selfCommand(), '--spool', t.dir, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-qec', `stty cols ${cols}; ${command}`, '/dev/null'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return r.stdout;
}

describe('jobs show and jobs list', () => {
  it('shows each attempt of a failed job with its host, slot, times, exit and last line of output', async () => {
    const t = makeSpool('[jobs]\nmax_attempts = 2\n');
    t.sentinel();
    t.worker([], { SPOOLCTL_HOST: 'scanner-7' });
    t.drop('tiff-1.json', manifest('tiff-1', 'fail', { input: 'scans/missing.tiff', params: { code: 4 }, priority: 3 }));
    await until('job failed', () => t.job('tiff-1')?.state === 'failed');
    const r = t.run(['jobs', 'show', 'tiff-1'], { TZ: 'UTC' });
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^input {5}scans\/missing\.tiff$/m);
    expect(out).toMatch(/^params {4}code=4$/m);
    expect(out).toMatch(/^priority {2}3$/m);
    expect(out).toMatch(/^error {5}exited with code 4 \(attempt 2 of 2\): upload refused: quota exceeded \(exit 4\)$/m);
    expect(out).not.toMatch(/^progress/m);
    const attempts = out.split('\n').filter((l) => /^[12] +1 +scanner-7:\d+ /.test(l));
    expect(attempts).toHaveLength(2);
    // Each attempt, the retried one too, shows the plugin's last line beside its error.
    expect(attempts[0]).toMatch(
      /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00 .* \d+\.\ds +retried +4 +exited with code 4: upload refused: quota exceeded \(exit 4\)$/,
    );
    expect(attempts[1]).toMatch(/ failed +4 +exited with code 4: upload refused/);
    const json = JSON.parse(t.run(['jobs', 'show', 'tiff-1', '--json']).stdout);
    expect(json.input).toBe('scans/missing.tiff');
    expect(json.params).toEqual({ code: 4 });
    expect(json.message).toBeNull();
    expect(json.attempt_history).toHaveLength(2);
    expect(json.attempt_history[1]).toMatchObject({ attempt: 2, slot: 1, host: 'scanner-7', outcome: 'failed', exit_code: 4 });
    expect(json.attempt_history[1].last_output).toBe('upload refused: quota exceeded (exit 4)');
    expect(json.attempt_history[1].ended_at).toMatch(/Z$/);
  });

  it('lists with INPUT and DURATION, sorts, filters by --since and --state running, and colours only a terminal', async () => {
    const t = makeSpool();
    t.sentinel();
    t.worker();
    t.worker();
    t.drop('quick.json', manifest('quick', 'noop', { input: '/archive/2026/scans/page-0001.tiff', priority: 1 }));
    t.drop('slow.json', manifest('slow', 'work', { params: { ms: 60000 }, priority: 9 }));
    await until('quick done and slow running', () => t.job('quick')?.state === 'done' && t.job('slow')?.state === 'claimed');
    const list = t.run(['jobs', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(
      /^ID +STATE +PLUGIN +PRI +ATTEMPTS +PROGRESS +DURATION +UPDATED +INPUT +WAITING +LAST ERROR$/,
    );
    expect(list.stdout).toMatch(/^quick +done +noop +1 +1 +- +\d+\.\ds +\d+s +…\S*\/2026\/scans\/page-0001\.tiff/m);
    expect(list.stdout).not.toContain(ESC);
    const running = t.run(['jobs', 'list', '--state', 'running']).stdout;
    expect(running).toMatch(/^slow +claimed /m);
    expect(running).not.toMatch(/^quick/m);
    const ids = (args: string[]) => (JSON.parse(t.run(['jobs', 'list', '--json', ...args]).stdout) as { id: string }[]).map((j) => j.id);
    expect(ids(['--sort', 'priority'])).toEqual(['slow', 'quick']);
    expect(ids(['--sort', 'priority', '-r'])).toEqual(['quick', 'slow']);
    expect(ids(['--sort', 'plugin'])).toEqual(['quick', 'slow']);
    expect(ids(['--since', '1h'])).toHaveLength(2);
    expect(ids(['--since', '2099-01-01T00:00Z'])).toEqual([]);
    expect(t.run(['jobs', 'list', '--sort', 'size']).code).toBe(2);
    expect(t.run(['jobs', 'list', '--since', 'yesterday']).code).toBe(2);
    const json = JSON.parse(t.run(['jobs', 'list', '--json', '--state', 'done']).stdout);
    expect(json[0]).toMatchObject({ id: 'quick', input: '/archive/2026/scans/page-0001.tiff' });
    expect(json[0].duration_s).toBeGreaterThanOrEqual(0);

    const tty = onTerminal(t, ['jobs', 'list'], 60);
    expect(tty).toContain(`${ESC}[32mdone${ESC}[39m`);
    expect(tty).toContain(`${ESC}[33mclaimed${ESC}[39m`);
    const plain = visible(tty).split(/\r?\n/).filter(Boolean);
    expect(Math.max(...plain.map((l) => l.length))).toBeLessThanOrEqual(60);
    expect(plain.find((l) => l.startsWith('quick'))).toMatch(/…$/);
    expect(onTerminal(t, ['jobs', 'list'], 200, { NO_COLOR: '1' })).not.toContain(ESC);
  });

  it('lists the job files of a spool whose ledger does not exist yet, saying so', () => {
    const t = makeSpool();
    t.drop('first.json', manifest('first', 'noop', { input: 'in/a.txt', priority: 2 }));
    t.drop('second.json', manifest('second', 'work', { input: 'in/b.txt' }));
    const r = t.run(['jobs', 'list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /has no ledger yet on this host .*job files in pending\/, claimed\/, held\/, failed\/, cancelled\/, rejected\//,
    );
    expect(r.stdout).toMatch(/^first +pending +noop +2 +0 .* in\/a\.txt/m);
    expect(r.stdout).toMatch(/^second +pending +work +0 /m);
    expect(r.stdout).toContain('2 jobs');
    const sorted = JSON.parse(t.run(['jobs', 'list', '--json', '--sort', 'priority']).stdout) as { id: string }[];
    expect(sorted.map((j) => j.id)).toEqual(['first', 'second']);
    expect(t.run(['jobs', 'list', '--state', 'done']).stdout).toContain('0 jobs');
  });
});
