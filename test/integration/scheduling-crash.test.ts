// Acceptance (spool-layout.md, "Scheduling", what survives a restart): a sentinel killed with
// SIGKILL during a backoff leaves the retry time in the ledger, and the next one waits for it;
// scheduled, dependent and limited jobs under repeated sentinel kills end with none lost, none
// done twice, and the limit never exceeded.
import { describe, expect, it } from 'vitest';
import { fixturePluginCommand } from '../../src/demo/spool.js';
import { isDone, makeSpool, manifest, mostAtOnce, until, type Proc } from '../helpers/spool.js';

const FAST = '[sentinel]\nscan_interval_ms = 300\n';

async function kill9(p: Proc): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}

describe('scheduling across sentinel crashes', () => {
  it('keeps the retry time over a kill -9 of the sentinel mid-backoff', async () => {
    const t = makeSpool(FAST);
    t.plugin('flaky', { command: fixturePluginCommand('fail.mjs', '3'), retry_backoff_ms: 4000, max_attempts: 2 });
    const first = t.sentinel();
    t.worker();
    t.drop('flaky-1.json', manifest('flaky-1', 'flaky'));
    const retried = await until('retried', () => t.events('flaky-1').find((e) => e.type === 'retried'));
    const retryAt = Date.parse(String(retried.detail.retry_at));
    expect(retryAt).toBeGreaterThan(Date.parse(retried.at));
    await kill9(first);
    t.sentinel();
    await until('failed for good', () => t.job('flaky-1')?.state === 'failed', 30_000);
    const claims = t.events('flaky-1').filter((e) => e.type === 'claimed');
    expect(claims).toHaveLength(2);
    expect(Date.parse(claims[1]!.at)).toBeGreaterThanOrEqual(retryAt);
  });

  it('loses nothing, completes nothing twice and keeps max_concurrent under repeated sentinel kills', async () => {
    const t = makeSpool(FAST);
    t.plugin('limited', { command: fixturePluginCommand('work.mjs', '{params.ms}', '2'), max_concurrent: 2 });
    const soon = () => new Date(Date.now() + 1500).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const id = `lim-${i}`;
      t.drop(`${id}.json`, manifest(id, 'limited', { params: { ms: 400 } }));
      ids.push(id);
    }
    for (let i = 0; i < 4; i += 1) {
      const id = `timed-${i}`;
      t.drop(`${id}.json`, manifest(id, 'work', { params: { ms: 200 }, not_before: soon() }));
      ids.push(id);
    }
    for (let i = 0; i < 4; i += 1) {
      const id = `chain-${i}`;
      t.drop(`${id}.json`, manifest(id, 'work', { params: { ms: 200 }, after: i === 0 ? ['lim-0', 'timed-0'] : [`chain-${i - 1}`] }));
      ids.push(id);
    }
    let sentinel = t.sentinel();
    for (let i = 0; i < 4; i += 1) t.worker();
    for (let kill = 0; kill < 3; kill += 1) {
      await new Promise((r) => setTimeout(r, 700));
      await kill9(sentinel);
      sentinel = t.sentinel();
    }
    await until('every job done', () => ids.every((id) => isDone(t, id)), 60_000);
    const events = t.events();
    const done = events.filter((e) => e.type === 'done');
    expect(new Set(done.map((e) => e.job)).size).toBe(ids.length);
    expect(done).toHaveLength(ids.length);
    expect(mostAtOnce(events, (id) => id.startsWith('lim-'))).toBeLessThanOrEqual(2);
    const doneSeq = new Map(done.map((e) => [e.job!, e.seq]));
    for (let i = 1; i < 4; i += 1) {
      const claimed = events.filter((e) => e.job === `chain-${i}` && e.type === 'claimed');
      expect(claimed.every((e) => e.seq > doneSeq.get(`chain-${i - 1}`)!)).toBe(true);
    }
    const verify = t.run(['verify', '--json']);
    expect(verify.code, verify.stdout).toBe(0);
  });
});
