/**
 * JSON-lines logging for the long-running processes (sentinel, worker). One object per line
 * on stderr so that a supervisor or systemd can keep it; `--verbose` adds debug lines.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function makeLogger(proc: string, verbose = false, write: (line: string) => void = (s) => process.stderr.write(s)): Logger {
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (level === 'debug' && !verbose) return;
    write(`${JSON.stringify({ at: new Date().toISOString(), level, proc, pid: process.pid, msg, ...fields })}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/**
 * Logs a recurring problem (a full disk, a locked ledger) once per `everyMs` per key, with
 * how many repeats were held back, so a loop retrying every 200 ms does not flood the log.
 */
export function makeThrottle(log: Logger, everyMs = 10_000) {
  const seen = new Map<string, { at: number; held: number }>();
  return (level: 'warn' | 'error', key: string, msg: string, fields: Record<string, unknown> = {}) => {
    const s = seen.get(key);
    if (s && Date.now() - s.at < everyMs) {
      s.held += 1;
      return;
    }
    log[level](msg, { ...fields, ...(s?.held ? { repeated: s.held } : {}) });
    seen.set(key, { at: Date.now(), held: 0 });
  };
}
