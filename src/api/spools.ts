/**
 * Several spools in one command (`status` and `tui` with more than one --spool, or tui.spools):
 * each is opened on its own, so that one that cannot be opened is told beside the others
 * rather than stopping them.
 */
import { resolve } from 'node:path';
import { commaList } from '../config/comma-list.js';
import { loadConfig } from '../config/load.js';
import { commandLineSettings, openSpool, type Spool, type SpoolOptions } from './spool.js';

/** A spool as asked for: opened, or why it could not be. */
export type SpoolChoice = { dir: string; spool: Spool; error?: undefined } | { dir: string; spool?: undefined; error: string };

/** The directories as absolute paths, each once, in the order given. */
export function distinctDirs(dirs: readonly string[]): string[] {
  return [...new Set(dirs.map((d) => resolve(d)))];
}

export function openSpools(dirs: readonly string[], opts: SpoolOptions = {}): SpoolChoice[] {
  return distinctDirs(dirs).map((dir) => {
    try {
      return { dir, spool: openSpool(dir, opts) };
    } catch (err) {
      return { dir, error: (err as Error).message };
    }
  });
}

/**
 * tui.spools: a list belongs to the person, not to a spool, so it is read from the layers
 * above any spool.toml (the system and user files, the environment, --set).
 */
export function configuredSpools(opts: SpoolOptions = {}): string[] {
  return commaList(loadConfig(undefined, commandLineSettings(opts.set ?? [])).config.tui.spools);
}
