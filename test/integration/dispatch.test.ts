// Acceptance: 200 jobs through 4 workers all end in done/, each with exactly one `done`
// event, and dispatch respects priority; the file-drop API and `submit` both work.
import { describe, expect, it } from 'vitest';
import { allDone, doneIds, isDone, makeSpool, manifest, until } from '../helpers/spool.js';

describe('dispatch', () => {
  it('runs 200 jobs through 4 workers, each done once, in priority order', async () => {
    const t = makeSpool();
    const ids: string[] = [];
    for (let i = 0; i < 195; i += 1) {
      const id = `job-${String(i).padStart(3, '0')}`;
      t.drop(`${id}.json`, manifest(id, 'noop', { priority: i % 5 }));
      ids.push(id);
    }
    for (let i = 0; i < 5; i += 1) {
      const r = t.run(['submit', '--plugin', 'noop', '--priority', '2']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^[A-Za-z0-9_-]{12}\n$/);
      ids.push(r.stdout.trim());
    }
    // Every job is admitted before any worker exists, so every dispatch chooses among all.
    t.sentinel();
    await until('all 200 submissions recorded', () => t.events().filter((e) => e.type === 'submitted').length === 200);
    for (let i = 0; i < 4; i += 1) t.worker();
    await until('200 jobs done in the spool and the ledger', () => allDone(t, ids), 60_000);

    expect(doneIds(t).sort()).toEqual([...ids].sort());
    expect(t.files('pending')).toEqual([]);
    const events = t.events();
    const doneCount = new Map<string, number>();
    for (const e of events.filter((x) => x.type === 'done')) doneCount.set(e.job!, (doneCount.get(e.job!) ?? 0) + 1);
    expect(doneCount.size).toBe(200);
    expect([...doneCount.values()].every((n) => n === 1)).toBe(true);

    const priorityOf = new Map(events.filter((e) => e.type === 'submitted').map((e) => [e.job!, e.detail.priority as number]));
    const claimOrder = events.filter((e) => e.type === 'claimed').map((e) => priorityOf.get(e.job!)!);
    expect(claimOrder).toHaveLength(200);
    for (let i = 1; i < claimOrder.length; i += 1) expect(claimOrder[i]!).toBeLessThanOrEqual(claimOrder[i - 1]!);

    const status = JSON.parse(t.run(['status', '--json']).stdout);
    expect(status.sentinel.up).toBe(true);
    expect(status.counts).toMatchObject({ pending: 0, claimed: 0, done: 200, failed: 0 });
    expect(status.slots.filter((s: { state: string }) => s.state === 'idle')).toHaveLength(4);
  });

  it('passes params as literal argv elements and reports progress and output', async () => {
    const t = makeSpool();
    t.sentinel();
    t.worker();
    t.drop('hostile-params.json', manifest('hostile-params', 'echo-args', { input: '$(touch /tmp/pwned)', params: { a: '; rm -rf /' } }));
    await until('the job done', () => isDone(t, 'hostile-params'));
    const show = JSON.parse(t.run(['jobs', 'show', 'hostile-params', '--json']).stdout);
    expect(show.state).toBe('done');
    expect(show.log_tail).toContain(JSON.stringify(['$(touch /tmp/pwned)', '; rm -rf /']));
    expect(show.events.map((e: { type: string }) => e.type)).toEqual(['submitted', 'claimed', 'done']);
  });

  it("shows a running job's fd-3 progress in status and in the ledger row", async () => {
    const t = makeSpool();
    t.sentinel();
    t.worker();
    t.drop('slowly.json', manifest('slowly', 'work', { params: { ms: 3000 } }));
    const slot = await until('progress in status', () => {
      const s = t.status().slots[0];
      return s.state === 'busy' && s.job === 'slowly' && s.progress > 0 && s.progress < 1 ? s : undefined;
    });
    expect(slot.message).toMatch(/^resizing|^working/);
    await until('progress in the ledger', () => {
      const row = t.job('slowly');
      return row?.state === 'claimed' && Number(row.progress) > 0;
    });
    await until('done', () => isDone(t, 'slowly'));
    expect(t.job('slowly')).toMatchObject({ state: 'done', progress: 1 });
  });
});
