/**
 * The plugin registry: plugins/<name>.json, re-read when the directory or a file changes.
 * An invalid plugin file is reported, never run.
 */
import { statSync } from 'node:fs';
import { InvalidFileError, errnoOf } from '../errors.js';
import { pluginPath, type Layout } from './layout.js';
import { readPlugin, type PluginDef } from './manifest.js';

export type PluginLookup = { ok: true; plugin: PluginDef } | { ok: false; reason: string };

export class PluginRegistry {
  private cache = new Map<string, { mtimeMs: number; size: number; result: PluginLookup }>();

  constructor(private readonly l: Layout) {}

  lookup(name: string): PluginLookup {
    const path = pluginPath(this.l, name);
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return { ok: false, reason: `unknown plugin "${name}" (no plugins/${name}.json)` };
      throw err;
    }
    const hit = this.cache.get(name);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.result;
    let result: PluginLookup;
    try {
      result = { ok: true, plugin: readPlugin(path) };
    } catch (err) {
      if (!(err instanceof InvalidFileError)) throw err;
      result = { ok: false, reason: `plugin "${name}" is invalid: ${err.message}` };
    }
    this.cache.set(name, { mtimeMs: st.mtimeMs, size: st.size, result });
    return result;
  }
}
