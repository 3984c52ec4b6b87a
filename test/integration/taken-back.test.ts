// A worker killed with SIGKILL mid-job leaves a heartbeat that names its job; once the
// sentinel has reclaimed that job, status and workers list no longer show it on the dead worker's slot.
import { describe, expect, it } from 'vitest';
import { makeSpool, manifest, until } from '../helpers/spool.js';

describe('a dead slot after its job was taken back', () => {
  it('shows no job on the slot, and says the job was taken back', async () => {
    const t = makeSpool('[worker]\nstale_after_ms = 1000\nheartbeat_ms = 200\n');
    t.sentinel();
    const w = t.worker(['--slot', '1']);
    t.drop('long.json', manifest('long', 'work', { params: { ms: 60000 } }));
    await until('running', () => t.status().slots.find((x: { slot: number }) => x.slot === 1)?.job === 'long');
    w.child.kill('SIGKILL');
    await until('reclaimed', () => t.events('long').some((e) => e.type === 'reclaimed'), 20_000);
    const json = JSON.parse(t.run(['status', '--json']).stdout);
    const slot = json.slots.find((x: { slot: number }) => x.slot === 1);
    expect(['dead', 'stale']).toContain(slot.condition);
    expect(slot.job).toBeNull();
    expect(slot.progress).toBeNull();
    expect(slot.reason).toContain('its job long was taken back');
    const text = t.run(['status']).stdout;
    expect(text).toMatch(/^1 +(dead|stale) +\S+:\d+ +- /m);
    expect(text).not.toMatch(/^1 .*long/m);
    const workers = t.run(['workers', 'list']).stdout;
    expect(workers).toMatch(/^1 +(dead|stale) +\S+:\d+ +- /m);
    expect(workers).toMatch(/^slot 1 (dead|stale): .*its job long was taken back/m);
  });
});
