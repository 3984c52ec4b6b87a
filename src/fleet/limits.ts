/** The worker count a supervisor may run on this host, checked before anything is started. */
import type { LoadedConfig } from '../config/load.js';
import { UsageError } from '../errors.js';

/** Where a configuration value came from, as a phrase: "set in /srv/spool/spool.toml". */
export function originPhrase(origin: string | undefined): string {
  if (origin === undefined || origin === 'default') return 'the default';
  if (origin === 'flag') return 'set with --set';
  if (origin.startsWith('env ')) return `set by the environment variable ${origin.slice('env '.length)}`;
  return `set in ${origin}`;
}

/**
 * Refuses more workers than worker.max_workers slots: the extra ones could never take a slot.
 * `asked` names where the count came from ("--workers 5", "services.workers = 5 (set in ...)").
 */
export function checkWorkerCount(loaded: LoadedConfig, workers: number, asked: string): void {
  const max = loaded.config.worker.max_workers;
  if (workers <= max) return;
  throw new UsageError(
    `${asked} asks for ${workers} workers, but worker.max_workers = ${max} (${originPhrase(loaded.origins['worker.max_workers'])}) allows at most ${max} slots; ask for ${max} or fewer, or raise worker.max_workers (hard cap 8).`,
  );
}

/** How the worker count of start-services / supervise was chosen, for error messages. */
export function workersAsked(loaded: LoadedConfig, flag: number | undefined): { workers: number; asked: string } {
  if (flag !== undefined) return { workers: flag, asked: `--workers ${flag}` };
  const n = loaded.config.services.workers;
  return { workers: n, asked: `services.workers = ${n} (${originPhrase(loaded.origins['services.workers'])})` };
}
