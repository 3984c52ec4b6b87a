// Acceptance: every file in rejected/, whatever its name, is one item: counted by `status`,
// listed by `jobs list`, shown by `jobs show` with its reason, purged by `jobs purge`, with
// exactly one error record beside it; the counts agree, and survive a ledger rebuild.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitedWithin, isDone, makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

interface Listed {
  id: string;
  state: string;
  file: string | null;
  last_error: string | null;
}

function listRejected(t: TestSpool): Listed[] {
  const r = t.run(['jobs', 'list', '--state', 'rejected', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Listed[];
}

function rejectedCount(t: TestSpool): number {
  return (JSON.parse(t.run(['status', '--json']).stdout) as { counts: { rejected: number } }).counts.rejected;
}

/** The quarantined file that came from pending/<original> (its name starts with the plain form). */
function quarantined(t: TestSpool, plain: string): string {
  const hits = t.files('rejected').filter((n) => n.startsWith(`${plain}.`) && n.length === plain.length + 7);
  expect(hits, plain).toHaveLength(1);
  return hits[0]!;
}

describe('rejected files', () => {
  it('are each counted, listed, shown, purged and recorded once, whatever their names', async () => {
    const t = makeSpool();
    const sentinel = t.sentinel();
    t.worker();
    t.drop('twice.json', manifest('twice', 'noop'));
    await until('first twice done', () => isDone(t, 'twice'));

    t.drop('notes.txt', 'not a manifest at all');
    t.drop('has space.json', manifest('x', 'noop'));
    t.drop('twice.json', manifest('twice', 'noop'));
    t.drop('broken.json', '{ not json');
    t.drop('nameless', manifest('nameless', 'noop'));
    // A good job dropped after them is done only once the sentinel has read pending/ again.
    t.drop('after.json', manifest('after', 'noop'));
    await until(
      'five files quarantined and recorded',
      () => isDone(t, 'after') && t.files('rejected').length === 5 && t.events().filter((e) => e.type === 'rejected').length === 5,
    );

    const all = readdirSync(join(t.dir, 'rejected'));
    const records = all.filter((n) => n.endsWith('.error.json'));
    const files = all.filter((n) => !n.endsWith('.error.json'));
    expect(files).toHaveLength(5);
    expect(records.sort()).toEqual(files.map((n) => `${n}.error.json`).sort());

    const notes = quarantined(t, 'notes.txt');
    const spaced = quarantined(t, 'has_space.json');
    const dup = quarantined(t, 'twice.json');
    const nameless = quarantined(t, 'nameless');
    const listed = listRejected(t);
    expect(listed).toHaveLength(5);
    expect(rejectedCount(t)).toBe(5);
    // A file whose name is no usable job id is listed under its name in rejected/.
    expect(listed.map((j) => j.id).sort()).toEqual(['broken', dup, spaced, nameless, notes].sort());
    for (const j of listed) {
      expect(j.state).toBe('rejected');
      expect(j.file).toMatch(/^rejected\//);
      expect(files).toContain(j.file!.slice('rejected/'.length));
      expect(j.last_error).toBeTruthy();
    }
    const human = t.run(['jobs', 'list', '--state', 'rejected']);
    expect(human.stdout).toContain('5 jobs');
    expect(t.job('twice')?.state).toBe('done');

    for (const [name, reason] of [
      [notes, 'file name is not'],
      [dup, 'duplicate id'],
      [spaced, 'file name is not'],
      [nameless, 'file name is not'],
    ] as const) {
      const shown = t.run(['jobs', 'show', name]);
      expect(shown.code, `${name}: ${shown.stderr}`).toBe(0);
      expect(shown.stdout).toContain('state     rejected');
      expect(shown.stdout).toContain(`file      rejected/${name}`);
      expect(shown.stdout).toMatch(new RegExp(`error +.*${reason}`));
      const json = JSON.parse(t.run(['jobs', 'show', name, '--json']).stdout) as Listed & { events: { type: string }[] };
      expect(json).toMatchObject({ id: name, state: 'rejected' });
      expect(json.last_error).toContain(reason);
      expect(json.events.map((e) => e.type)).toEqual(['rejected']);
    }
    // The file name of a rejected job that kept its id finds it too.
    const brokenFile = listed.find((j) => j.id === 'broken')!.file!.slice('rejected/'.length);
    expect(JSON.parse(t.run(['jobs', 'show', brokenFile, '--json']).stdout)).toMatchObject({ id: 'broken', state: 'rejected' });

    // A rebuilt ledger finds every one of them again.
    sentinel.child.kill('SIGTERM');
    await exitedWithin(sentinel, 30_000, 'after SIGTERM');
    const rebuilt = t.run(['ledger', 'rebuild']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(listRejected(t)).toHaveLength(5);
    expect(rejectedCount(t)).toBe(5);
    t.sentinel();
    // A purge asked before the sentinel is up is queued, not applied.
    await until('sentinel up', () => t.status().sentinel.up === true);

    const dry = t.run(['jobs', 'purge', '--state', 'rejected', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('5 jobs would be purged');
    const purge = t.run(['jobs', 'purge', '--state', 'rejected', '--yes']);
    expect(purge.code, purge.stdout + purge.stderr).toBe(0);
    expect(purge.stdout).toContain('5 jobs purged.');
    expect(readdirSync(join(t.dir, 'rejected'))).toEqual([]);
    expect(listRejected(t)).toEqual([]);
    expect(rejectedCount(t)).toBe(0);
    expect(JSON.parse(t.run(['jobs', 'show', notes, '--json']).stdout)).toMatchObject({ id: notes, state: 'purged', file: null });
  });

  it('keeps a rejected file listed when its id is submitted again, fixed', async () => {
    const t = makeSpool();
    t.sentinel();
    t.worker();
    t.drop('fixme.json', '{ "id": "fixme", ');
    await until('rejected', () => t.job('fixme')?.state === 'rejected');
    t.drop('fixme.json', manifest('fixme', 'noop'));
    await until('the fixed one done', () => isDone(t, 'fixme'));
    const listed = await until('the rejected file listed under its name', () => {
      const rows = listRejected(t);
      return rows.length === 1 && rows[0]!.id !== 'fixme' ? rows : undefined;
    });
    expect(listed[0]!.file).toBe(`rejected/${listed[0]!.id}`);
    expect(listed[0]!.last_error).toContain('not valid JSON');
    expect(rejectedCount(t)).toBe(1);
  });
});
