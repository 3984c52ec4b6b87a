// The sentinel stops gracefully, releasing its lock, on a stop signal that comes while it is
// still starting (a fleet stopped as it starts): killed by the signal's default action, it
// would leave its lock behind.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSpool, until } from '../helpers/spool.js';

describe('sentinel lifecycle', () => {
  it('stopped while it takes its lock, it still releases the lock and exits 0', async () => {
    const t = makeSpool();
    // The sentinel holds its lock and sleeps before it opens the ledger.
    const s = t.sentinel({ SPOOLCTL_FAILPOINTS: 'sentinel.after-lock=sleep(1500)' });
    await until('lock taken', () => existsSync(join(t.dir, 'sentinel.lock')));
    s.child.kill('SIGTERM');
    expect(await s.exited, s.output()).toBe(0);
    expect(s.output()).toContain('"msg":"sentinel stopping"');
    expect(existsSync(join(t.dir, 'sentinel.lock'))).toBe(false);
    expect(t.events().map((e) => e.type)).toEqual(['sentinel_started', 'sentinel_stopped']);
  });
});
