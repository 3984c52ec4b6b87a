/**
 * Logging for the long-running processes (sentinel, worker): one line per event on stderr.
 * JSON lines, for a supervisor, systemd or a log shipper, unless stderr is a terminal: a
 * person watching a foreground process gets short lines in local time instead.
 * `--verbose` adds debug lines.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'human';

export interface Logger {
  /** `human`, when given, is what a human line shows in place of the fields. */
  debug(msg: string, fields?: Record<string, unknown>, human?: string): void;
  info(msg: string, fields?: Record<string, unknown>, human?: string): void;
  warn(msg: string, fields?: Record<string, unknown>, human?: string): void;
  error(msg: string, fields?: Record<string, unknown>, human?: string): void;
}

let chosenFormat: LogFormat | undefined;

/** `--log-format`: the format of every logger this process makes from now on, terminal or not. */
export function chooseLogFormat(format: LogFormat | undefined): void {
  chosenFormat = format;
}

const compact = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** `12:03:10 worker slot 2 ready (vm:4411, posix_spawn)`; warnings and errors say so first. */
function humanLine(proc: string, level: Level, msg: string, fields: Record<string, unknown> = {}, human?: string): string {
  const time = new Date().toTimeString().slice(0, 8);
  const detail =
    human ??
    Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${compact(v)}`)
      .join(', ');
  // "sentinel started" reads as such, not as "sentinel sentinel started".
  const text = msg.startsWith(`${proc} `) ? msg.slice(proc.length + 1) : msg;
  return `${time} ${proc} ${level === 'info' || level === 'debug' ? '' : `${level === 'warn' ? 'warning' : 'error'}: `}${text}${detail ? ` (${detail})` : ''}\n`;
}

export function makeLogger(proc: string, verbose = false, write?: (line: string) => void): Logger {
  const out = write ?? ((s: string) => process.stderr.write(s));
  const format = chosenFormat ?? (write === undefined && process.stderr.isTTY ? 'human' : 'json');
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>, human?: string) => {
    if (level === 'debug' && !verbose) return;
    out(
      format === 'human'
        ? humanLine(proc, level, msg, fields, human)
        : `${JSON.stringify({ at: new Date().toISOString(), level, proc, pid: process.pid, msg, ...fields })}\n`,
    );
  };
  return {
    debug: (m, f, h) => emit('debug', m, f, h),
    info: (m, f, h) => emit('info', m, f, h),
    warn: (m, f, h) => emit('warn', m, f, h),
    error: (m, f, h) => emit('error', m, f, h),
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
