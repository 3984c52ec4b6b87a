// Acceptance, the second half of the failpoints (the first is in failpoints.test.ts): a crash
// at each, then recovery, leaves a spool that `verify` passes, with every job done once.
import { describe, it } from 'vitest';
import { CRASH_POINTS, HALF, scenarioFor } from '../helpers/failpoint-scenarios.js';

describe('crash at every failpoint, second half', () => {
  it.each(CRASH_POINTS.slice(HALF))('%s=crash: recovery leaves a spool that verify passes', async (point) => {
    await scenarioFor(point)(point);
  });
});
