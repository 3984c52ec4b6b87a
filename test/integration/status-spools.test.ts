// `status` over several spools: --json prints an array whose elements are each spool's own
// `status --json`, the human form each spool's status under a header line, and a spool that
// cannot be read takes its place with the reason while the others are still shown (exit 1).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSpool, manifest, until } from '../helpers/spool.js';

/** The one field of `status --json` that moves between two reads: the age of the sentinel's beat. */
function steady(st: { sentinel: { beat_age_s: number | null } }) {
  return { ...st, sentinel: { ...st.sentinel, beat_age_s: st.sentinel.beat_age_s === null ? null : 'some' } };
}

/** The human form without what moves between two reads: how long the oldest job has waited. */
const steadyText = (text: string) => text.replace(/pending for \d+s/g, 'pending for some seconds');

describe('status over two spools', () => {
  it('prints an array of the spools’ own status --json, and their human status one after the other', async () => {
    const a = makeSpool();
    a.sentinel();
    a.drop('a-1.json', manifest('a-1', 'noop'));
    // Up, with its word on the journal, and the job admitted: nothing left to change but the beat.
    await until('admitted', () => a.status().sentinel.journal?.ok === true && a.status().counts.pending === 1, 20_000);
    const b = makeSpool();
    for (const id of ['b-1', 'b-2']) b.drop(`${id}.json`, manifest(id, 'noop'));

    const both = a.run(['--spool', b.dir, 'status', '--json']);
    expect(both.code).toBe(0);
    const array = JSON.parse(both.stdout) as Parameters<typeof steady>[0][];
    expect(Array.isArray(array)).toBe(true);
    const one = (t: typeof a) => steady(JSON.parse(t.run(['status', '--json']).stdout) as Parameters<typeof steady>[0]);
    expect(array.map(steady)).toEqual([one(a), one(b)]);
    expect(array.map((s) => (s as unknown as { counts: { pending: number } }).counts.pending)).toEqual([1, 2]);

    const human = a.run(['--spool', b.dir, 'status']);
    expect(human.code).toBe(0);
    expect(steadyText(human.stdout)).toBe(
      steadyText(
        `=== spool 1 of 2: ${a.dir} ===\n${a.run(['status']).stdout}\n=== spool 2 of 2: ${b.dir} ===\n${b.run(['status']).stdout}`,
      ),
    );
    expect(human.stdout).toContain('oldest    a-1 (noop), pending for');
  });

  it('puts a spool that cannot be read in its place, with why, and exits 1', () => {
    const a = makeSpool();
    const nowhere = mkdtempSync(join(tmpdir(), 'spoolctl-not-a-spool-'));
    try {
      const json = a.run(['--spool', nowhere, 'status', '--json']);
      expect(json.code).toBe(1);
      const [first, second] = JSON.parse(json.stdout) as Record<string, unknown>[];
      expect(first).toMatchObject({ spool: a.dir, sentinel: { up: false } });
      expect(second).toEqual({
        spool: nowhere,
        error: `${nowhere} is not a spool (no spool.toml): create it with \`spoolctl init ${nowhere}\`.`,
      });

      const human = a.run(['--spool', nowhere, 'status']);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`=== spool 2 of 2: ${nowhere} ===\nerror     ${nowhere} is not a spool (no spool.toml)`);
      expect(human.stdout).toContain(`=== spool 1 of 2: ${a.dir} ===\nspool     ${a.dir}\nsentinel  DOWN`);
    } finally {
      rmSync(nowhere, { recursive: true, force: true });
    }
  });
});
