/**
 * `npm run bench [-- --short] [-- scenario...]`: spoolctl's figures beside baselines measured
 * in the same run, printed as a table and written to bench/results/<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { flood } from './flood.js';
import { machine, printTable, type Row } from './lib.js';
import { latency, recovery } from './latency.js';
import { ledger } from './ledger.js';
import { memory } from './memory.js';
import { nas } from './nas.js';
import { scale } from './scale.js';
import { startup } from './startup.js';
import { submit } from './submit.js';
import { takeover } from './takeover.js';
import { throughput } from './throughput.js';

const args = process.argv.slice(2);
const short = args.includes('--short');
const wanted = args.filter((a) => !a.startsWith('--'));
const SCENARIOS: Record<string, () => Promise<Row[]>> = {
  throughput: () => throughput({ jobs: short ? 500 : 2000 }),
  flood: () => flood({ jobs: short ? 3000 : 20_000 }),
  latency: () => latency({ samples: short ? 30 : 200 }),
  recovery: () => recovery({ runs: short ? 1 : 3 }),
  scale: () => scale(short ? { done: 9000, pending: 1000, idleSeconds: 3 } : { done: 90_000, pending: 10_000, idleSeconds: 10 }),
  ledger: () => ledger({ events: short ? 5000 : 50_000, jobs: short ? 200 : 1000 }),
  startup: () => startup(),
  memory: () => memory({ settleSeconds: short ? 5 : 20 }),
  nas: () => nas({ jobs: short ? 300 : 2000 }),
  takeover: () => takeover({ runs: short ? 2 : 5 }),
  submit: () => submit(short ? { jobs: 2000, loop: 50 } : { jobs: 10_000, loop: 200 }),
};

const unknown = wanted.filter((w) => !(w in SCENARIOS));
if (unknown.length) {
  process.stderr.write(`bench: unknown scenario ${unknown.join(', ')} (known: ${Object.keys(SCENARIOS).join(', ')})\n`);
  process.exit(2);
}
const rows: Row[] = [];
for (const name of wanted.length ? wanted : Object.keys(SCENARIOS)) {
  process.stderr.write(`bench: ${name}${short ? ' (short)' : ''}...\n`);
  rows.push(...(await SCENARIOS[name]!()));
}
process.stdout.write(`\nspoolctl bench${short ? ' (short mode)' : ''} on ${machine()}\n\n`);
printTable(rows);
const dir = join(packageRoot(), 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ machine: machine(), short, rows }, null, 2));
process.stdout.write(`\nwritten to ${file}\n`);
