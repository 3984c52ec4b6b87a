// Acceptance (spool-layout.md, "Scheduling"): a job is not claimed before its not_before and is
// claimed within a scan interval after it; a failed attempt's next one waits for the backoff;
// a job with `after` runs only once those jobs are done and fails at once when one fails;
// max_concurrent holds across slots; a job that requires a tag goes only to a worker with it;
// a pause stops claims, not running jobs, and outlives the sentinel.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestDispatchAction } from '../../src/api/control.js';
import { openSpool } from '../../src/api/spool.js';
import { fixturePluginCommand } from '../../src/demo/spool.js';
import { isDone, makeSpool, manifest, mostAtOnce, until, type LedgerEvent } from '../helpers/spool.js';

const SCAN_MS = 500;
const FAST = `[sentinel]\nscan_interval_ms = ${SCAN_MS}\n`;
const at = (e: LedgerEvent) => Date.parse(e.at);

describe('scheduling', () => {
  it('claims a not_before job only from that time on, within a scan interval, and counts it scheduled until then', async () => {
    const t = makeSpool(FAST);
    t.sentinel();
    t.worker();
    // One job as a user submits it, one dropped through the file API.
    const submitted = t.run(['submit', '--plugin', 'noop', '--id', 'later', '--in', '3s']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const notBefore = new Date(JSON.parse(readFileSync(join(t.dir, 'pending', 'later.json'), 'utf8')).not_before);
    // The listing is checked on a job an hour ahead: a slow machine must not let it come due first.
    const inAnHour = new Date(Date.now() + 3_600_000);
    t.drop('hour.json', manifest('hour', 'noop', { not_before: inAnHour.toISOString() }));
    const st = await until('counted as scheduled', () => {
      const s = t.status();
      return s.counts.scheduled === 2 ? s : undefined;
    });
    expect(st.dispatch.waiting[0].reason).toMatch(/^2 scheduled, next at \d\d:\d\d:\d\d$/);
    const listed = JSON.parse(t.run(['jobs', 'list', '--state', 'scheduled', '--json']).stdout);
    const hour = listed.find((j: { id: string }) => j.id === 'hour');
    expect(hour).toMatchObject({ id: 'hour', not_before: inAnHour.toISOString() });
    expect(hour.waiting).toMatch(/^not before \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    // People read the same reasons in their own zone, named by its offset; --utc says UTC. The
    // job due in 3 s may have left the count by now.
    const kolkata = { TZ: 'Asia/Kolkata' };
    const local = new Date(inAnHour.getTime() + 330 * 60_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(t.run(['status'], kolkata).stdout).toMatch(/[12] scheduled, next at \d\d:\d\d:\d\d \+05:30/);
    expect(t.run(['jobs', 'show', 'hour'], kolkata).stdout).toContain(`not before ${local} +05:30`);
    expect(t.run(['--utc', 'jobs', 'show', 'hour'], kolkata).stdout).toContain(
      `not before ${inAnHour.toISOString().slice(0, 19).replace('T', ' ')} UTC`,
    );
    await until('done', () => isDone(t, 'later'));
    const claimed = t.events('later').find((e) => e.type === 'claimed')!;
    expect(at(claimed)).toBeGreaterThanOrEqual(notBefore.getTime());
    // One scan interval, and a second for the processes of a loaded test machine.
    expect(at(claimed)).toBeLessThan(notBefore.getTime() + SCAN_MS + 1000);
  });

  it("spaces a failing plugin's attempts by its backoff, doubling, and says when the retry is", async () => {
    const t = makeSpool(FAST);
    t.plugin('flaky', { command: fixturePluginCommand('fail.mjs', '3'), retry_backoff_ms: 1000, max_attempts: 3 });
    t.sentinel();
    t.worker();
    t.drop('flaky-1.json', manifest('flaky-1', 'flaky'));
    const shown = await until('the retry time shown', () => {
      const j = JSON.parse(t.run(['jobs', 'show', 'flaky-1', '--json']).stdout);
      return j.state === 'pending' && j.waiting ? j : undefined;
    });
    expect(shown.waiting).toMatch(/^retry at \d\d:\d\d:\d\d$/);
    await until('failed for good', () => t.job('flaky-1')?.state === 'failed');
    const events = t.events('flaky-1');
    const claims = events.filter((e) => e.type === 'claimed').map(at);
    const retries = events.filter((e) => e.type === 'retried');
    expect(claims).toHaveLength(3);
    expect(claims[1]! - claims[0]!).toBeGreaterThanOrEqual(1000 * 0.8);
    expect(claims[2]! - claims[1]!).toBeGreaterThanOrEqual(2000 * 0.8);
    for (const [i, r] of retries.entries()) expect(claims[i + 1]!).toBeGreaterThanOrEqual(Date.parse(String(r.detail.retry_at)));
  });

  it('runs a job after the jobs it names are done, and fails it at once when one fails', async () => {
    const t = makeSpool(FAST);
    t.plugin('once', { command: fixturePluginCommand('fail.mjs', '5'), max_attempts: 1 });
    // The dependent first: a batch may arrive in any order.
    t.drop('b.json', manifest('b', 'noop', { after: ['a'] }));
    t.drop('a.json', manifest('a', 'work', { params: { ms: 1000 } }));
    t.drop('y.json', manifest('y', 'noop', { after: ['x'] }));
    t.drop('z.json', manifest('z', 'noop', { after: ['y'] }));
    t.drop('x.json', manifest('x', 'once'));
    t.sentinel();
    await until('b recorded as waiting for a', () => t.job('b')?.waiting === 'after a');
    const waits = JSON.parse(t.run(['jobs', 'show', 'a', '--json']).stdout);
    expect(waits.before).toEqual([{ id: 'b', state: 'pending' }]);
    expect(JSON.parse(t.run(['jobs', 'show', 'b', '--json']).stdout).after).toEqual([{ id: 'a', state: 'pending' }]);
    t.worker();
    await until('b done', () => isDone(t, 'b'));
    const events = t.events();
    const aDone = events.find((e) => e.job === 'a' && e.type === 'done')!;
    expect(events.find((e) => e.job === 'b' && e.type === 'claimed')!.seq).toBeGreaterThan(aDone.seq);

    await until('z failed', () => t.job('z')?.state === 'failed');
    for (const [id, dep] of [
      ['y', 'x'],
      ['z', 'y'],
    ] as const) {
      expect(t.events(id).map((e) => e.type)).toEqual(['submitted', 'failed']);
      expect(t.events(id)[1]!.detail).toMatchObject({ dependency: dep });
      expect(t.job(id)).toMatchObject({ attempts: 0, last_error: `dependency ${dep} failed` });
      expect(JSON.parse(readFileSync(join(t.dir, 'failed', `${id}.error.json`), 'utf8')).reason).toBe(`dependency ${dep} failed`);
    }
  });

  it('quarantines a manifest whose after names a job the spool never had, or closes a cycle', async () => {
    const t = makeSpool(FAST);
    t.sentinel();
    t.drop('orphan.json', manifest('orphan', 'noop', { after: ['never-submitted'] }));
    t.drop('self.json', manifest('self', 'noop', { after: ['self'] }));
    await until('both rejected', () => t.job('orphan')?.state === 'rejected' && t.job('self')?.state === 'rejected');
    expect(t.job('orphan')!.last_error).toContain('"after" names a job the spool has never had');
    expect(t.job('self')!.last_error).toBe('"after" forms a cycle: self → self');
  });

  it('never runs more jobs of a plugin at once than its max_concurrent, and says it is at its limit', async () => {
    const t = makeSpool(FAST);
    t.plugin('single', { command: fixturePluginCommand('work.mjs', '{params.ms}', '2'), max_concurrent: 1 });
    const ids = Array.from({ length: 5 }, (_, i) => `s${i}`);
    for (const id of ids) t.drop(`${id}.json`, manifest(id, 'single', { params: { ms: 600 } }));
    t.drop('other.json', manifest('other', 'work', { params: { ms: 100 } }));
    t.sentinel();
    for (let i = 0; i < 4; i += 1) t.worker();
    const st = await until('the limit in status', () => {
      const s = t.status();
      return s.dispatch.waiting.some((w: { reason: string }) => w.reason === 'plugin single at its limit (1 of 1)') ? s : undefined;
    });
    expect(st.counts.pending).toBeGreaterThan(0);
    await until('all done', () => [...ids, 'other'].every((id) => isDone(t, id)), 30_000);
    expect(mostAtOnce(t.events(), (id) => ids.includes(id))).toBe(1);
  });

  it('gives a job that requires a tag only to a worker with that tag, as soon as one starts', async () => {
    const t = makeSpool(FAST);
    t.plugin('render', { command: ['true'], requires: ['gpu'] });
    t.sentinel();
    t.worker();
    t.drop('frame.json', manifest('frame', 'render'));
    await until('the reason in status', () =>
      t.status().dispatch.waiting.some((w: { reason: string }) => w.reason === 'no live worker has tag gpu'),
    );
    expect(JSON.parse(t.run(['jobs', 'list', '--json']).stdout)[0].waiting).toBe('no live worker has tag gpu');
    expect(t.events('frame').map((e) => e.type)).toEqual(['submitted']);
    t.worker(['--tag', 'gpu']);
    await until('done', () => isDone(t, 'frame'));
    const claimed = t.events('frame').find((e) => e.type === 'claimed')!;
    const slot = t.status().slots.find((x: { slot: number }) => x.slot === claimed.slot);
    expect(slot.tags).toEqual(['gpu']);
  });

  it('claims nothing while paused, lets running jobs finish, keeps the pause over a restart, and dispatches on resume', async () => {
    const t = makeSpool(FAST);
    const sentinel = t.sentinel();
    t.worker();
    t.drop('running.json', manifest('running', 'work', { params: { ms: 1500 } }));
    await until('running claimed', () => t.job('running')?.state === 'claimed');
    const s = openSpool(t.dir);
    expect((await requestDispatchAction(s, 'pause', 'disk swap')).kind).toBe('applied');
    t.drop('waits.json', manifest('waits', 'noop'));
    await until('running done', () => isDone(t, 'running'));
    const st = t.status();
    expect(st.dispatch.paused).toMatchObject({ reason: 'disk swap' });
    expect(st.dispatch.paused.by).toMatch(/@/);
    expect(t.run(['status']).stdout).toContain('dispatch is PAUSED by');
    sentinel.child.kill('SIGTERM');
    await sentinel.exited;
    t.sentinel();
    await until('the restarted sentinel admitted it', () => t.events().filter((e) => e.type === 'sentinel_started').length === 2);
    await new Promise((r) => setTimeout(r, 3 * SCAN_MS));
    expect(t.job('waits')?.state).toBe('pending');
    expect(existsSync(join(t.dir, 'paused.json'))).toBe(true);
    expect((await requestDispatchAction(s, 'resume')).kind).toBe('applied');
    await until('waits done', () => isDone(t, 'waits'));
    expect(t.status().dispatch.paused).toBeNull();
  });
});
