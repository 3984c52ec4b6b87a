// Acceptance: every bad manifest in fixtures/bad-manifests/ ends in rejected/ with a reason,
// the ledger records it, and dispatch goes on.
import { copyFileSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { isDone, makeSpool, manifest, until } from '../helpers/spool.js';

const FIXTURES = join(packageRoot(), 'fixtures', 'bad-manifests');

const EXPECTED: Record<string, string> = {
  'invalid-json.json': 'not valid JSON',
  'empty.json': 'not valid JSON',
  'schema-violation.json': '/priority must be integer',
  'shell-field.json': 'must NOT have additional properties "command"',
  'id-mismatch.json': 'its file name says',
  'traversal.json': '/id must match pattern',
  'unknown-plugin.json': 'unknown plugin',
  'oversized.json': 'over the 4096-byte limit',
  'Not A Job.txt': 'file name is not',
};

describe('bad input', () => {
  it('quarantines every bad manifest with its reason and keeps dispatching', async () => {
    const fixtures = readdirSync(FIXTURES).filter((n) => n !== 'README.md');
    expect(fixtures.sort()).toEqual(Object.keys(EXPECTED).sort());
    const t = makeSpool('[jobs]\nmax_manifest_bytes = 4096\n');
    t.sentinel();
    t.worker();
    t.drop('before.json', manifest('before', 'noop'));
    for (const name of fixtures) {
      copyFileSync(join(FIXTURES, name), join(t.dir, 'tmp', name));
      renameSync(join(t.dir, 'tmp', name), join(t.dir, 'pending', name));
    }
    t.drop('after.json', manifest('after', 'noop'));
    await until('good jobs done', () => isDone(t, 'before') && isDone(t, 'after'));
    await until(
      'all bad files quarantined and recorded',
      () => t.files('rejected').length === fixtures.length && t.events().filter((e) => e.type === 'rejected').length === fixtures.length,
    );
    expect(t.files('pending')).toEqual([]);

    const rejected = t.events().filter((e) => e.type === 'rejected');
    for (const [name, reason] of Object.entries(EXPECTED)) {
      const ev = rejected.find((e) => e.detail.file === `pending/${name}`);
      expect(ev, name).toBeDefined();
      expect(String(ev!.detail.reason), name).toContain(reason);
      const moved = String(ev!.detail.moved_to);
      const errorFile = JSON.parse(readFileSync(join(t.dir, `${moved}.error.json`), 'utf8'));
      expect(errorFile.original_name).toBe(name);
      expect(errorFile.reason).toContain(reason);
    }
    const status = JSON.parse(t.run(['status', '--json']).stdout);
    expect(status.counts.rejected).toBe(fixtures.length);
    expect(status.sentinel.up).toBe(true);
  });

  it('rejects a second manifest with the id of an existing job', async () => {
    const t = makeSpool();
    t.sentinel();
    t.worker();
    t.drop('twice.json', manifest('twice', 'noop'));
    await until('first done', () => isDone(t, 'twice'));
    t.drop('twice.json', manifest('twice', 'noop'));
    await until('duplicate rejected', () =>
      t.events().some((e) => e.type === 'rejected' && String(e.detail.reason).includes('duplicate id')),
    );
    expect(t.events('twice').filter((e) => e.type === 'done')).toHaveLength(1);
  });
});
