/**
 * The plugin registry: plugins/<name>.json, re-read when the file changes. The sentinel looks
 * a definition up twice for every job, so it trusts a found one for `recheckMs` before its
 * file is stat'ed again (on a network mount each stat is a round trip): an edited or removed
 * definition reaches its admission and attempt counts within that time. A worker checks at
 * every start, so a job requeued right after its plugin was fixed runs the fixed command.
 * An invalid plugin file is reported, never run.
 */
import { statSync } from 'node:fs';
import { InvalidFileError, errnoOf } from '../errors.js';
import { pluginPath, type Layout } from './layout.js';
import { readPlugin, type PluginDef } from './manifest.js';

export type PluginLookup = { ok: true; plugin: PluginDef } | { ok: false; reason: string };

export class PluginRegistry {
  private cache = new Map<string, { mtimeMs: number; size: number; checkedAtMs: number; result: PluginLookup }>();

  constructor(
    private readonly l: Layout,
    private readonly recheckMs = 0,
  ) {}

  lookup(name: string, nowMs = Date.now()): PluginLookup {
    const recent = this.cache.get(name);
    if (recent && nowMs - recent.checkedAtMs < this.recheckMs) return recent.result;
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
