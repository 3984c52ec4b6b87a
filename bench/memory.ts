/**
 * Memory: the resident set of an idle fleet (a sentinel and four workers on a spool with no
 * jobs), each read from /proc/<pid>/status (VmRSS), beside an idle `node` started in the same run.
 */
import { spawn } from 'node:child_process';
import { sleep } from '../src/proc.js';
import { layoutOf } from '../src/spool/layout.js';
import { readSlotFiles } from '../src/spool/slots.js';
import { rssMb, type Row } from './lib.js';
import { benchSpool, waitUntil } from './spool.js';

const WORKERS = 4;
/** A process is light when it holds at most this much more than an idle node. */
const OVER_NODE_MB = 10;

export async function memory(o: { settleSeconds: number }): Promise<Row[]> {
  const s = benchSpool('memory');
  const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    const sentinel = s.start('sentinel');
    const workers = Array.from({ length: WORKERS }, () => s.start('worker'));
    const l = layoutOf(s.dir);
    await waitUntil(() => workers.every((_, i) => readSlotFiles(l, i + 1).heartbeat !== undefined), 30_000, 50);
    // Idle, not just started: heartbeats, scans and the first garbage collections have run.
    await sleep(o.settleSeconds * 1000);
    const node = rssMb(idle.pid!);
    const row = (metric: string, pid: number): Row => {
      const mb = rssMb(pid);
      return {
        scenario: 'memory',
        metric: `${metric} RSS, idle ${o.settleSeconds} s`,
        value: mb,
        unit: 'MB',
        baseline: `idle node ${node.toFixed(1)} MB (+${(mb - node).toFixed(1)} MB)`,
        target: `<= node + ${OVER_NODE_MB} MB`,
        met: mb - node <= OVER_NODE_MB,
      };
    };
    return [row('sentinel', sentinel.pid!), ...workers.map((w, i) => row(`worker ${i + 1} of ${WORKERS}`, w.pid!))];
  } finally {
    idle.kill();
    await s.stop();
  }
}
