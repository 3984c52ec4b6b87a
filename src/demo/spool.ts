/**
 * The demo spool: a fresh spool with plugins backed by the fixture scripts, a batch of jobs
 * that take a few seconds and report progress, one plugin that fails, and two bad manifests.
 */
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { submitJob } from '../api/submit.js';
import { openSpool, type Spool, type SpoolOptions } from '../api/spool.js';
import { UsageError } from '../errors.js';
import { initSpool } from '../spool/init.js';
import { demoMarkerPath, layoutOf, pluginPath, statePath, tmpPath } from '../spool/layout.js';
import { packageRoot } from '../paths.js';

export function fixturePluginCommand(script: string, ...args: string[]): string[] {
  return [process.execPath, join(packageRoot(), 'fixtures', 'plugins', script), ...args];
}

export function createDemoSpool(dir: string, opts: SpoolOptions): Spool {
  if (existsSync(dir)) {
    if (!existsSync(demoMarkerPath(layoutOf(dir)))) throw new UsageError(`${dir} exists and is not a demo spool; pass another --dir.`);
    rmSync(dir, { recursive: true, force: true });
  }
  const l = initSpool(dir);
  writeFileSync(demoMarkerPath(l), 'created by `spoolctl demo`; removed by the next demo run\n');
  const plugins: Record<string, object> = {
    'resize-image': { command: fixturePluginCommand('work.mjs', '{params.ms}', '8', 'resizing {input}'), timeout_s: 60 },
    'upload-archive': { command: fixturePluginCommand('fail.mjs', '3', '1500'), max_attempts: 2 },
  };
  for (const [name, def] of Object.entries(plugins)) {
    writeFileSync(pluginPath(l, name), `${JSON.stringify({ name, ...def }, null, 2)}\n`);
  }
  return openSpool(l.root, opts);
}

/** Submits the demo batch; returns how many files were dropped into pending/. */
export async function submitDemoBatch(s: Spool): Promise<number> {
  let n = 0;
  for (let i = 1; i <= 16; i += 1) {
    await submitJob(s, {
      plugin: 'resize-image',
      input: `scan-${String(i).padStart(3, '0')}.tiff`,
      params: { ms: String(2000 + ((i * 1373) % 5000)) },
      priority: i % 3,
    });
    n += 1;
  }
  for (let i = 1; i <= 2; i += 1) {
    await submitJob(s, { plugin: 'upload-archive', input: `batch-${i}.tar` });
    n += 1;
  }
  // Two bad files, dropped the way any producer drops a manifest: written in tmp/, renamed in.
  const bad: Record<string, string> = {
    'broken.json': '{"id": "broken", "plugin": ',
    'mystery.json': JSON.stringify({ id: 'mystery', plugin: 'no-such-plugin' }),
  };
  for (const [name, text] of Object.entries(bad)) {
    writeFileSync(tmpPath(s.l, name), text);
    renameSync(tmpPath(s.l, name), statePath(s.l, 'pending', name));
    n += 1;
  }
  return n;
}
