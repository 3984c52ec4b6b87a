/** A scratch spool with a sentinel and workers for the bench, and a clean stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfCommand } from '../src/paths.js';
import { sleep } from '../src/proc.js';
import { initSpool } from '../src/spool/init.js';

export interface BenchSpool {
  dir: string;
  start(role: 'sentinel' | 'worker', env?: NodeJS.ProcessEnv): ChildProcess;
  /** Writes the manifests in tmp/, then renames them all into pending/; returns when renamed. */
  drop(ids: string[], plugin?: string): number;
  doneCount(): number;
  /** Stops every process (SIGTERM) and waits; the spool stays. */
  halt(): Promise<void>;
  /** halt(), then removes the spool. */
  stop(): Promise<void>;
}

export function benchSpool(name: string, toml = ''): BenchSpool {
  const dir = mkdtempSync(join(tmpdir(), `spoolctl-bench-${name}-`));
  const l = initSpool(dir);
  writeFileSync(join(l.plugins, 'noop.json'), JSON.stringify({ name: 'noop', command: ['true'] }));
  writeFileSync(join(l.plugins, 'sleep.json'), JSON.stringify({ name: 'sleep', command: ['sleep', '2'] }));
  if (toml) writeFileSync(join(dir, 'spool.toml'), toml);
  const [node, script] = selfCommand() as [string, string];
  const procs: ChildProcess[] = [];
  return {
    dir,
    start(role, env = {}) {
      const p = spawn(node, [script, '--spool', dir, role], { stdio: 'ignore', env: { ...process.env, ...env } });
      procs.push(p);
      return p;
    },
    drop(ids, plugin = 'noop') {
      for (const id of ids) writeFileSync(join(l.tmp, `${id}.p`), JSON.stringify({ id, plugin }));
      const t0 = Date.now();
      for (const id of ids) renameSync(join(l.tmp, `${id}.p`), join(l.pending, `${id}.json`));
      return t0;
    },
    doneCount() {
      return readdirSync(l.done).reduce((n, day) => n + readdirSync(join(l.done, day)).length, 0);
    },
    async halt() {
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
      await Promise.all(
        procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? undefined : new Promise((r) => p.once('exit', r)))),
      );
    },
    async stop() {
      await this.halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Until `check` holds, polling every `everyMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('bench: timed out');
    await sleep(everyMs);
  }
}
