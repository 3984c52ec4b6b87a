// Hostile input: every file in fixtures/hostile/ (and the FIFO, the 100 MB sparse manifest and
// the manifest flood in flood.test.ts) ends where fixtures/hostile/README.md says, nothing
// runs that should not, nothing is written outside the spool, and the sentinel stays up.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot, selfCommand } from '../../src/paths.js';
import { doneIds, expectSentinelUp, isDone, type LedgerEvent, makeSpool, manifest, type TestSpool, until } from '../helpers/spool.js';

const FIXTURES = join(packageRoot(), 'fixtures', 'hostile');
/** Moves a fixture into pending/ the way a producer would: copy into tmp/, rename. */
function dropFixture(t: TestSpool, fixture: string, name = fixture): void {
  const tmp = join(t.dir, 'tmp', `${name}.producer`);
  copyFileSync(join(FIXTURES, fixture), tmp);
  renameSync(tmp, join(t.dir, 'pending', name));
}

interface Rejection {
  event: LedgerEvent;
  reason: string;
  /** Absolute path of the quarantined file in rejected/. */
  path: string;
}

/** Waits for pending/<name> to be quarantined and checks the move, the error file and the ledger. */
async function rejection(t: TestSpool, name: string, timeoutMs = 20_000): Promise<Rejection> {
  const event = await until(
    `pending/${name} rejected`,
    () => t.events().find((e) => e.type === 'rejected' && e.detail.file === `pending/${name}`),
    timeoutMs,
  );
  const reason = String(event.detail.reason);
  const movedTo = String(event.detail.moved_to);
  expect(movedTo.startsWith('rejected/'), movedTo).toBe(true);
  const path = join(t.dir, movedTo);
  expect(t.files('rejected')).toContain(basename(path));
  expect(lstatSync(path, { throwIfNoEntry: false }), `${movedTo} exists`).toBeDefined();
  expect(t.files('pending')).not.toContain(name);
  const errorFile = JSON.parse(readFileSync(`${path}.error.json`, 'utf8')) as { original_name: string; reason: string; at: string };
  expect(errorFile.original_name).toBe(name);
  expect(errorFile.reason).toBe(reason);
  expect(Number.isNaN(Date.parse(errorFile.at))).toBe(false);
  return { event, reason, path };
}

/**
 * A good job dropped after the hostile file completes: the sentinel did not block or die.
 * It prints, so its log is there to show that it ran.
 */
async function goodJobCompletes(t: TestSpool, id: string, timeoutMs = 20_000): Promise<void> {
  t.drop(`${id}.json`, manifest(id, 'work', { params: { ms: 1 } }));
  await until(`${id} done`, () => isDone(t, id), timeoutMs);
}

function pwnedFiles(): string[] {
  return readdirSync('/tmp').filter((n) => n.startsWith('spoolctl-pwned-'));
}

function tmpEntries(prefix: string): string[] {
  return readdirSync('/tmp').filter((n) => n.startsWith(prefix));
}

describe('hostile input', () => {
  it('fixtures/hostile/README.md lists every fixture', () => {
    const readme = readFileSync(join(FIXTURES, 'README.md'), 'utf8');
    for (const name of readdirSync(FIXTURES).filter((n) => n !== 'README.md')) expect(readme, name).toContain(`| ${name} |`);
    // a checkout without symlink support turns the link into a text file
    expect(lstatSync(join(FIXTURES, 'symlink-outside.json')).isSymbolicLink()).toBe(true);
  });

  it('rejects truncated JSON and garbage bytes as not valid JSON', async () => {
    const t = makeSpool();
    const sentinel = t.sentinel();
    t.worker();
    dropFixture(t, 'truncated.json');
    dropFixture(t, 'malformed.json');
    for (const name of ['truncated.json', 'malformed.json']) {
      const r = await rejection(t, name);
      expect(r.reason, name).toContain('not valid JSON');
      // quarantined as it was, byte for byte
      expect(readFileSync(r.path).equals(readFileSync(join(FIXTURES, name))), name).toBe(true);
    }
    await goodJobCompletes(t, 'after-garbage');
    expect(t.files('logs')).toEqual(['after-garbage.log']);
    expectSentinelUp(t, sentinel);
  });

  it('rejects a manifest with 100,000 levels of nested arrays and keeps going', async () => {
    const t = makeSpool();
    const sentinel = t.sentinel();
    t.worker();
    dropFixture(t, 'deeply-nested.json');
    const outcome = await until('deeply-nested.json rejected or run', () => {
      const events = t.events();
      if (events.some((e) => e.type === 'rejected' && e.detail.file === 'pending/deeply-nested.json')) return 'rejected';
      return events.find((e) => e.job === 'deeply-nested' && ['claimed', 'done', 'failed'].includes(e.type))?.type;
    });
    expect(outcome, 'a manifest nested 100,000 levels deep must be rejected, not dispatched').toBe('rejected');
    const r = await rejection(t, 'deeply-nested.json');
    expect(r.reason.length).toBeGreaterThan(0);
    expect(statSync(r.path).size).toBe(statSync(join(FIXTURES, 'deeply-nested.json')).size);
    expect(doneIds(t)).not.toContain('deeply-nested');
    await goodJobCompletes(t, 'after-deep');
    expectSentinelUp(t, sentinel);
  });

  it('rejects ids with NUL/control characters or ../ and writes nothing outside the spool', async () => {
    const before = tmpEntries('evil');
    const t = makeSpool();
    const sentinel = t.sentinel();
    t.worker();
    dropFixture(t, 'nul-in-id.json');
    dropFixture(t, 'dotdot-id.json');
    for (const name of ['nul-in-id.json', 'dotdot-id.json']) {
      const r = await rejection(t, name);
      expect(r.reason, name).toContain('/id must match pattern');
    }
    await goodJobCompletes(t, 'after-ids');
    // nothing ran for them, and nothing named after the hostile id appeared anywhere
    expect(t.files('logs')).toEqual(['after-ids.log']);
    expect(tmpEntries('evil')).toEqual(before);
    expect(readdirSync(dirname(t.dir)).filter((n) => n.startsWith('evil'))).toEqual([]);
    for (const sub of ['pending', 'held', 'failed', 'tmp', 'control/acks']) expect(t.files(sub), sub).toEqual([]);
    // The good jobs' results are lines of the worker's journal.
    expect(t.files('results')).toEqual([expect.stringMatching(/^s1\.[\w-]+\.1\.jsonl$/)]);
    expect(t.files('control').filter((n) => n !== 'acks')).toEqual([]);
    expectSentinelUp(t, sentinel);
  });

  it('quarantines a symlink pointing outside the spool as the link itself, never touching its target', async () => {
    const fixture = join(FIXTURES, 'symlink-outside.json');
    const target = readlinkSync(fixture);
    expect(target.startsWith('/')).toBe(true);
    const targetBefore = { content: readFileSync(target), mtimeMs: statSync(target).mtimeMs, size: statSync(target).size };
    const t = makeSpool();
    const sentinel = t.sentinel();
    t.worker();
    symlinkSync(target, join(t.dir, 'pending', 'symlink-outside.json'));
    const r = await rejection(t, 'symlink-outside.json');
    expect(r.reason).toContain('symbolic link');
    expect(lstatSync(r.path).isSymbolicLink()).toBe(true);
    expect(readlinkSync(r.path)).toBe(target);
    expect(readFileSync(target).equals(targetBefore.content)).toBe(true);
    expect(statSync(target).mtimeMs).toBe(targetBefore.mtimeMs);
    expect(statSync(target).size).toBe(targetBefore.size);
    await goodJobCompletes(t, 'after-symlink');
    expectSentinelUp(t, sentinel);
  });

  it('quarantines a FIFO without blocking on it', async () => {
    const t = makeSpool();
    const sentinel = t.sentinel();
    t.worker();
    const tmp = join(t.dir, 'tmp', 'fifo.json.producer');
    const mk = spawnSync('mkfifo', [tmp], { encoding: 'utf8' });
    expect(mk.status, mk.stderr).toBe(0);
    renameSync(tmp, join(t.dir, 'pending', 'fifo.json'));
    await goodJobCompletes(t, 'after-fifo');
    const r = await rejection(t, 'fifo.json');
    expect(r.reason).toContain('not a regular file');
    expect(lstatSync(r.path).isFIFO()).toBe(true);
    expectSentinelUp(t, sentinel);
  });

  it('rejects a 100 MB (sparse) manifest by its size, unread', async () => {
    const t = makeSpool();
    const sentinel = t.sentinel();
    t.worker();
    const size = 100 * 1024 * 1024;
    const tmp = join(t.dir, 'tmp', 'huge.json.producer');
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, '{"id": "huge", "plugin": "noop", "meta": {"pad": "');
      ftruncateSync(fd, size);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(t.dir, 'pending', 'huge.json'));
    const r = await rejection(t, 'huge.json');
    expect(r.reason).toContain('over the');
    expect(r.reason).toContain('byte limit');
    expect(r.reason).toContain(String(size));
    expect(statSync(r.path).size).toBe(size);
    expect(doneIds(t)).not.toContain('huge');
    await goodJobCompletes(t, 'after-huge');
    expectSentinelUp(t, sentinel);
  });

  it('never runs a plugin whose command is a shell string', async () => {
    rmSync('/tmp/spoolctl-pwned-shellstring', { force: true });
    const before = pwnedFiles();
    const t = makeSpool();
    const sentinel = t.sentinel();
    t.worker();
    copyFileSync(join(FIXTURES, 'plugin-shell-string.json'), join(t.dir, 'plugins', 'shellstring.json'));
    t.drop('shell-job.json', manifest('shell-job', 'shellstring'));
    const r = await rejection(t, 'shell-job.json');
    expect(r.reason).toContain('plugin "shellstring" is invalid');
    expect(r.reason).toContain('/command must be array');
    await goodJobCompletes(t, 'after-shell');
    expect(doneIds(t)).not.toContain('shell-job');
    expect(t.files('logs')).toEqual(['after-shell.log']);
    expect(pwnedFiles()).toEqual(before);
    expectSentinelUp(t, sentinel);
  });

  it('passes hostile params and input to the plugin as literal argv elements', async () => {
    rmSync('/tmp/spoolctl-pwned-2', { force: true });
    const t = makeSpool();
    const sentinel = t.sentinel();
    t.worker();
    dropFixture(t, 'params-injection.json');
    await until('params-injection done', () => isDone(t, 'params-injection'));
    const expected = ['$(touch /tmp/spoolctl-pwned-2)', '; rm -rf / #'];
    const log = readFileSync(join(t.dir, 'logs', 'params-injection.log'), 'utf8').split('\n');
    // the header records the argv the worker ran, the plugin prints the argv it received
    const header = /: (\[.*\])$/.exec(log[0] ?? '');
    expect(header, log[0]).not.toBeNull();
    expect((JSON.parse(header![1]!) as string[]).slice(-2)).toEqual(expected);
    expect(log).toContain(JSON.stringify(expected));
    expect(existsSync('/tmp/spoolctl-pwned-2')).toBe(false);
    expect(t.events('params-injection').filter((e) => e.type === 'done')).toHaveLength(1);
    expectSentinelUp(t, sentinel);
  });

  it('jobs show answers for quarantined hostile files without blocking or crashing', async () => {
    const t = makeSpool();
    const sentinel = t.sentinel();
    const tmp = join(t.dir, 'tmp', 'fifo.json.producer');
    expect(spawnSync('mkfifo', [tmp]).status).toBe(0);
    renameSync(tmp, join(t.dir, 'pending', 'fifo.json'));
    // the deeply nested document under another name: this test is about reading it back
    dropFixture(t, 'deeply-nested.json', 'deep-show.json');
    expect((await rejection(t, 'fifo.json')).reason).toContain('not a regular file');
    expect((await rejection(t, 'deep-show.json')).reason).toContain('nested too deeply');
    const [node, script] = selfCommand() as [string, string];
    for (const id of ['fifo', 'deep-show']) {
      const r = spawnSync(node, [script, '--spool', t.dir, 'jobs', 'show', id, '--json'], {
        encoding: 'utf8',
        timeout: 10_000,
        killSignal: 'SIGKILL',
      });
      // soft: report every file that breaks it, not only the first
      expect.soft(r.error?.message, `jobs show ${id} must not block`).toBeUndefined();
      expect.soft(r.stderr, `jobs show ${id}`).toBe('');
      expect.soft(r.status, `jobs show ${id}`).toBe(0);
      if (r.status !== 0) continue;
      const shown = JSON.parse(r.stdout) as { id: string; state: string; events: { type: string }[] };
      expect.soft(shown.id).toBe(id);
      expect.soft(shown.state).toBe('rejected');
      expect.soft(shown.events.map((e) => e.type)).toContain('rejected');
    }
    expectSentinelUp(t, sentinel);
  });
});
