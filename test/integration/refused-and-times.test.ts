// A control request refused while nobody waited for the answer (queued with the sentinel
// down) is shown by `status` with who asked, the target and the error, text and --json;
// human times are local with their offset (TZ honoured), or UTC with --utc, while JSON
// keeps ISO UTC.
import { describe, expect, it } from 'vitest';
import { makeSpool, manifest, until } from '../helpers/spool.js';

describe('refused requests and times', () => {
  it('status shows requests the sentinel refused on start, with who asked, the target and the error', async () => {
    const t = makeSpool();
    let s = t.sentinel();
    t.worker();
    t.drop('finished.json', manifest('finished', 'noop'));
    await until('done', () => t.job('finished')?.state === 'done');
    s.child.kill('SIGTERM');
    await s.exited;
    const env = {};
    const drain = t.run(['workers', 'drain', '9'], env);
    expect(drain.stderr).toMatch(/the sentinel is down/);
    const hold = t.run(['jobs', 'hold', 'finished'], env);
    expect(hold.stderr).toMatch(/the sentinel is down/);
    expect(t.status().refused).toEqual([]);
    s = t.sentinel();
    await until('both refused', () => t.status().refused.length === 2);
    const refused = t.status().refused as Record<string, unknown>[];
    const byAction = Object.fromEntries(refused.map((r) => [r.action, r]));
    expect(byAction.drain).toMatchObject({ target: 'slot-9', error: 'there is no slot 9 (slots are 1 to 8)' });
    expect(byAction.hold).toMatchObject({ target: 'finished', error: expect.stringContaining('it is done') });
    expect(String(byAction.hold!.by)).toMatch(/^\S+@\S+ \(uid \d+\)$/);
    expect(byAction.hold!.at).toMatch(/Z$/);
    expect(Object.keys(byAction.hold!).sort()).toEqual(['action', 'at', 'by', 'error', 'request_id', 'target']);
    const json = JSON.parse(t.run(['status', '--json']).stdout);
    expect(json.refused).toHaveLength(2);
    // Continuation lines, indented under the text, joined back.
    const text = t.run(['status'], { TZ: 'Asia/Kolkata' }).stdout.replace(/\n {10}/g, ' ');
    expect(text).toMatch(
      /^refused {3}drain slot-9 \(asked by \S+@\S+ \(uid \d+\), refused \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30\): there/m,
    );
    expect(text).toMatch(/^refused {3}hold finished \(asked by /m);
    expect(text).toMatch(/^sentinel {2}up, pid \d+ on \S+, since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30$/m);
    expect(t.run(['--utc', 'status'], { TZ: 'Asia/Kolkata' }).stdout).toMatch(/^sentinel {2}up, .* since [\d-]+ [\d:]+ UTC$/m);
    expect(t.run(['--utc', 'jobs', 'show', 'finished']).stdout).toMatch(/^submitted [\d-]+ [\d:]+ UTC$/m);
  });
});
