// Acceptance: `verify` detects a manifest copied into two state directories, an edited
// ledger row, a claim with no owner, a job missing from the ledger, a lost job, and a journal
// on the share that the ledger does not agree with.
import Database from 'better-sqlite3';
import { copyFileSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doneIds, makeSpool, manifest, until, type TestSpool } from '../helpers/spool.js';

async function settledSpool(): Promise<TestSpool> {
  const t = makeSpool();
  const s = t.sentinel();
  const w = t.worker();
  for (const id of ['v1', 'v2', 'v3']) t.drop(`${id}.json`, manifest(id, 'noop'));
  await until('done', () => doneIds(t).length === 3);
  w.child.kill('SIGTERM');
  s.child.kill('SIGTERM');
  await Promise.all([w.exited, s.exited]);
  const ok = t.run(['verify']);
  expect(ok.code, ok.stdout).toBe(0);
  expect(ok.stdout).toContain('OK: 3 jobs in the spool');
  expect(ok.stdout).toMatch(/journal agrees \(\d+ lines\)/);
  return t;
}

function violations(t: TestSpool): { kind: string; job?: string; fix: string; detail: string }[] {
  const r = t.run(['verify', '--json']);
  expect(r.code).toBe(1);
  return JSON.parse(r.stdout).violations;
}

describe('verify', () => {
  it('detects a manifest copied into two state directories', async () => {
    const t = await settledSpool();
    const day = t.files('done')[0]!;
    copyFileSync(join(t.dir, 'done', day, 'v1.1.json'), join(t.dir, 'failed', 'v1.1.json'));
    const v = violations(t).find((x) => x.kind === 'duplicate')!;
    expect(v.job).toBe('v1');
    expect(v.detail).toContain('failed/v1.1.json');
    expect(v.fix).toMatch(/keep the copy the ledger names/);
  });

  it('detects an edited ledger row', async () => {
    const t = await settledSpool();
    const db = new Database(join(t.dir, 'ledger', 'ledger.db'));
    db.exec('DROP TRIGGER events_append_only_update');
    db.prepare("UPDATE events SET actor = 'mallory@elsewhere' WHERE seq = 5").run();
    db.close();
    const v = violations(t).filter((x) => x.kind === 'ledger-chain');
    expect(v[0]!.detail).toContain('ledger row 5');
  });

  it('detects a claim with no owner', async () => {
    const t = await settledSpool();
    writeFileSync(join(t.dir, 'tmp', 'x'), JSON.stringify(manifest('v4', 'noop')));
    renameSync(join(t.dir, 'tmp', 'x'), join(t.dir, 'claimed', 'slot-2', 'v4.1.deadtoken1.nonce123.json'));
    const kinds = violations(t);
    const orphan = kinds.find((x) => x.kind === 'orphaned-claim')!;
    expect(orphan.job).toBe('v4');
    expect(orphan.fix).toContain('start the sentinel');
    expect(kinds.some((x) => x.kind === 'missing-from-ledger' && x.job === 'v4')).toBe(true);
  });

  it('detects a job missing from the ledger and a job lost from the spool', async () => {
    const t = await settledSpool();
    t.drop('v5.json', manifest('v5', 'noop'));
    const day = t.files('done')[0]!;
    rmSync(join(t.dir, 'done', day, 'v2.1.json'));
    const v = violations(t);
    expect(v.find((x) => x.kind === 'missing-from-ledger')?.job).toBe('v5');
    expect(v.find((x) => x.kind === 'lost')?.job).toBe('v2');
  });

  it('detects a journal line altered on the share, and fails as ledger verify does', async () => {
    const t = await settledSpool();
    const [file] = readdirSync(join(t.dir, 'journal')).filter((n) => n.endsWith('.jsonl'));
    const path = join(t.dir, 'journal', file!);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"at":"2', '"at":"3');
    writeFileSync(path, lines.join('\n'));
    const v = violations(t).filter((x) => x.kind === 'journal');
    expect(v).toHaveLength(1);
    expect(v[0]!.detail).toContain(`journal chain broken at ${file} line 3 (seq 3)`);
    expect(v[0]!.fix).toContain('spoolctl ledger rebuild');
    const human = t.run(['verify']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('journal DISAGREES');
    expect(t.run(['ledger', 'verify']).code).toBe(1);
  });
});
