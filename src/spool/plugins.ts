/**
 * The plugin registry: plugins/<name>.json, re-read when the file changes. A definition is
 * looked up for every job by the sentinel (twice) and its worker, so a found one is trusted
 * for RECHECK_MS before its file is stat'ed again: on a network mount each stat is a round
 * trip. An edited or removed definition is seen within that time.
 * An invalid plugin file is reported, never run.
 */
import { statSync } from 'node:fs';
import { InvalidFileError, errnoOf } from '../errors.js';
import { pluginPath, type Layout } from './layout.js';
import { readPlugin, type PluginDef } from './manifest.js';

export type PluginLookup = { ok: true; plugin: PluginDef } | { ok: false; reason: string };

const RECHECK_MS = 1000;

export class PluginRegistry {
  private cache = new Map<string, { mtimeMs: number; size: number; checkedAtMs: number; result: PluginLookup }>();

  constructor(private readonly l: Layout) {}

  lookup(name: string, nowMs = Date.now()): PluginLookup {
    const recent = this.cache.get(name);
    if (recent && nowMs - recent.checkedAtMs < RECHECK_MS) return recent.result;
    const path = pluginPath(this.l, name);
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') {
        this.cache.delete(name);
        return { ok: false, reason: `unknown plugin "${name}" (no plugins/${name}.json)` };
      }
      throw err;
    }
    const hit = this.cache.get(name);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) {
      hit.checkedAtMs = nowMs;
      return hit.result;
    }
    let result: PluginLookup;
    try {
      result = { ok: true, plugin: readPlugin(path) };
    } catch (err) {
      if (!(err instanceof InvalidFileError)) throw err;
      result = { ok: false, reason: `plugin "${name}" is invalid: ${err.message}` };
    }
    this.cache.set(name, { mtimeMs: st.mtimeMs, size: st.size, checkedAtMs: nowMs, result });
    return result;
  }
}
