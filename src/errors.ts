/**
 * Error classes shared by every layer. Each carries a sentence a person can act on;
 * the CLI prints `message` alone and maps the class to an exit code.
 */

/** Bad input from a person or script: wrong flag, bad id, unknown plugin. Exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A configuration file or variable is wrong; the message names the file and key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A manifest or plugin file failed to parse or validate. */
export class InvalidFileError extends Error {
  override name = 'InvalidFileError';
}

/** Another process already holds what we asked for (the spool's sentinel lock, a slot). */
export class HeldError extends Error {
  override name = 'HeldError';
}

/** A state move found its source gone: another process won the race. Not a failure. */
export class LostRaceError extends Error {
  override name = 'LostRaceError';
}

const HINTS: Record<string, string> = {
  ENOSPC: 'no space left on the device (ENOSPC); free some space and it is retried',
  EDQUOT: 'disk quota exceeded (EDQUOT); free some space or raise the quota',
  EACCES: 'permission denied (EACCES); check the owner and mode of the spool directories',
  EROFS: 'the filesystem is read-only (EROFS); remount it read-write',
};

/** An I/O error, re-thrown with the path and the operation that failed. */
export class SpoolIoError extends Error {
  override name = 'SpoolIoError';
  constructor(
    readonly op: string,
    readonly path: string,
    readonly errno: NodeJS.ErrnoException,
  ) {
    super(`${op} ${path} failed: ${HINTS[errno.code ?? ''] ?? `${errno.code ?? ''} ${errno.message}`.trim()}`);
  }
}

export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err));
}

export function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
