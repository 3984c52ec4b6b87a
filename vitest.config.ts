import { defineConfig } from 'vitest/config';

/**
 * Files that must have the machine to themselves, run one at a time after the rest:
 * - overlap: asserts "within 1 s" guarantees, which a busy machine would make late;
 * - flood: its manifest flood saturates both cores, starving other files' heartbeats;
 * - offline: `npm run pack:offline` rebuilds dist/, which every other file runs spoolctl from.
 */
const ALONE = ['test/integration/overlap.test.ts', 'test/integration/flood.test.ts', 'test/offline/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 30_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ALONE,
          // Four files at a time: each spool is its own temp directory and every process a
          // file starts is its own, so files share nothing but the machine. Integration tests
          // mostly wait (for scans, staleness limits, processes to start): with four files a
          // whole run keeps 2 cores about 80% busy, and no staleness threshold is missed.
          maxWorkers: 4,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          include: ALONE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
