/**
 * Start-up: `submit` and `status --json` on a spool with no sentinel (so no ledger), each
 * beside a bare `node -e ''`, the three taking turns in the same run. What a person waits for
 * beyond Node's own start is the difference.
 */
import { selfCommand } from '../src/paths.js';
import { timeCommands, type Row } from './lib.js';
import { benchSpool } from './spool.js';

const RUNS = 7;
/** A command is quick when it ends at most this long after a bare node would. */
const OVER_NODE_MS = 40;

export async function startup(): Promise<Row[]> {
  const s = benchSpool('startup');
  try {
    const cli = [...selfCommand(), '--spool', s.dir];
    const commands: [string, string[]][] = [
      ['submit --plugin noop', [...cli, 'submit', '--plugin', 'noop', '--input', 'x']],
      ['status --json', [...cli, 'status', '--json']],
    ];
    const [node, ...medians] = timeCommands([[process.execPath, '-e', ''], ...commands.map(([, argv]) => argv)], RUNS);
    return commands.map(([name], i) => {
      const ms = medians[i]!;
      return {
        scenario: 'startup',
        metric: `${name}, empty spool (median of ${RUNS})`,
        value: ms,
        unit: 'ms',
        baseline: `node -e '' ${node!.toFixed(0)} ms (+${(ms - node!).toFixed(0)} ms, ${(ms / node!).toFixed(2)} x)`,
        target: `<= node + ${OVER_NODE_MS} ms`,
        met: ms - node! <= OVER_NODE_MS,
      };
    });
  } finally {
    await s.stop();
  }
}
