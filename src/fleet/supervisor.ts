/**
 * The per-host supervisor that `start-services` leaves running: it keeps N workers (and,
 * when asked, the sentinel) alive. A worker that exits 0 stopped on purpose (drained) and is
 * left stopped; one that exits RECYCLE_EXIT_CODE is replaced at once; any other exit is a
 * crash, restarted after a doubling delay, until services.max_restarts crashes within
 * services.restart_window_s, when the supervisor gives up on it and says so in its log, in
 * the ledger (through a leave note the sentinel records) and in services/<host>.json.
 * On SIGTERM it stops workers first (they finish or hand back their jobs), then the sentinel.
 */
import { mkdirSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import { hostId } from '../config/identity.js';
import { startRole, stopChildren, type Child } from './processes.js';
import { makeLogger } from '../log.js';
import { processLogPath, servicesLogDir, type Layout } from '../spool/layout.js';
import { readSlotFiles, writeLeaveNote } from '../spool/slots.js';
import { allSlotNumbers } from '../spool/scan.js';
import { killLeftPlugin } from '../slot-state.js';
import { RECYCLE_EXIT_CODE } from '../worker/recycle.js';
import { procId } from '../proc.js';
import { removeRecord, writeRecord, type Managed, type ServicesRecord } from './services-record.js';

export interface SuperviseOptions {
  workers: number;
  withSentinel: boolean;
  /** The sentinel stands by while another host's is active (`spoolctl sentinel --standby`). */
  standby?: boolean;
  /** `--tag` for every worker (start-services --tag). */
  tags?: string[];
  verbose?: boolean;
}

interface Slot {
  m: Managed;
  child?: Child;
  crashes: number[];
  timer?: NodeJS.Timeout;
}

const MAX_BACKOFF_MS = 60_000;

export async function runSupervisor(l: Layout, loaded: LoadedConfig, opts: SuperviseOptions): Promise<number> {
  const cfg = loaded.config;
  const host = hostId();
  const log = makeLogger('supervisor', opts.verbose);
  const logDir = servicesLogDir(l, host);
  mkdirSync(logDir, { recursive: true });
  const self = procId(process.pid);
  if (!self)
    throw new Error('cannot read this process in /proc: start-services needs Linux /proc to tell its processes apart from reused pids');
  const rec: ServicesRecord = { host, supervisor: self, started_at: new Date().toISOString(), updated_at: '', children: [] };
  const save = () => {
    rec.updated_at = new Date().toISOString();
    try {
      writeRecord(l, rec);
    } catch (err) {
      log.warn('cannot write services record; retrying on the next change', { error: (err as Error).message });
    }
  };
  const managed = (role: Managed['role'], name: string): Slot => {
    const m: Managed = { role, name, proc: null, state: 'restarting', restarts: 0, last_exit: null, log: processLogPath(logDir, name) };
    rec.children.push(m);
    return { m, crashes: [] };
  };
  const sentinel = opts.withSentinel ? managed('sentinel', 'sentinel') : undefined;
  const workers = Array.from({ length: opts.workers }, (_, i) => managed('worker', `worker-${i + 1}`));
  let stopping = false;

  const start = (s: Slot) => {
    if (stopping) return;
    const args = [
      '--spool',
      l.root,
      ...(opts.verbose ? ['--verbose'] : []),
      s.m.role,
      ...(s.m.role === 'sentinel' && opts.standby ? ['--standby'] : []),
      ...(s.m.role === 'worker' ? (opts.tags ?? []).flatMap((t) => ['--tag', t]) : []),
    ];
    const child = startRole(s.m.role, args, s.m.log);
    s.child = child;
    s.m.proc = child.proc.pid !== undefined ? procId(child.proc.pid) : null;
    s.m.state = 'running';
    save();
    log.info('started', { name: s.m.name, pid: child.proc.pid, log: s.m.log });
    void child.exited.then((code) => exited(s, code, child.proc.signalCode));
  };

  /** A worker that died could not stop its plugin: its replacement must not run beside it. */
  const killPluginOf = (pid: number) => {
    for (const slot of allSlotNumbers()) {
      try {
        const hb = readSlotFiles(l, slot).heartbeat;
        if (hb?.pid !== pid) continue;
        const killed = killLeftPlugin(hb, host);
        if (killed.length > 0) log.warn("killed what was left of a dead worker's plugin", { slot, pid, pids: killed });
      } catch (err) {
        log.warn('cannot read a slot to stop what a dead worker left running', { slot, error: (err as Error).message });
      }
    }
  };

  const exited = (s: Slot, code: number | null, signal: NodeJS.Signals | null) => {
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    const pid = s.m.proc?.pid;
    s.child = undefined;
    s.m.proc = null;
    s.m.last_exit = how;
    if (s.m.role === 'worker' && pid !== undefined) killPluginOf(pid);
    if (stopping) return;
    if (code === 0 && s.m.role === 'worker') {
      s.m.state = 'stopped';
      save();
      log.info('worker stopped on purpose (drained); not restarting it', { name: s.m.name, pid });
      return;
    }
    if (code === RECYCLE_EXIT_CODE) {
      s.m.restarts += 1;
      log.info('worker recycled; starting a fresh one', { name: s.m.name, pid });
      return start(s);
    }
    const now = Date.now();
    s.crashes = [...s.crashes.filter((t) => now - t < cfg.services.restart_window_s * 1000), now];
    if (s.crashes.length >= cfg.services.max_restarts) {
      const reason = `the supervisor on ${host} gave up on ${s.m.name} after ${s.crashes.length} crashes within ${cfg.services.restart_window_s} s (services.max_restarts = ${cfg.services.max_restarts}); last: ${how}; see ${s.m.log}`;
      // Logged before the record says so: whoever sees gave_up there finds the reason in the log.
      log.error(reason, { name: s.m.name });
      s.m.state = 'gave_up';
      save();
      if (pid !== undefined) {
        try {
          writeLeaveNote(l, { slot: null, host, pid, reason, at: new Date().toISOString() });
        } catch (err) {
          log.warn('cannot write the leave note for the ledger', { error: (err as Error).message });
        }
      }
      return;
    }
    const delay = Math.min(cfg.services.restart_backoff_ms * 2 ** (s.crashes.length - 1), MAX_BACKOFF_MS);
    s.m.state = 'restarting';
    s.m.restarts += 1;
    save();
    log.warn('crashed; restarting after a delay', { name: s.m.name, pid, how, delay_ms: delay, crashes_in_window: s.crashes.length });
    s.timer = setTimeout(() => start(s), delay);
  };

  if (sentinel) start(sentinel);
  for (const w of workers) start(w);
  save();
  log.info('supervisor started', { host, pid: process.pid, workers: opts.workers, sentinel: opts.withSentinel, tags: opts.tags });

  // Also what keeps the supervisor alive when it has given up on every child.
  const refresh = setInterval(save, 10_000);

  return new Promise<number>((resolve) => {
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(refresh);
      log.info('stopping services', { signal });
      for (const s of [...workers, ...(sentinel ? [sentinel] : [])]) clearTimeout(s.timer);
      const handBackMs = Math.min(cfg.worker.stop_timeout_ms, cfg.services.stop_timeout_ms / 2);
      const live = (list: Slot[]) => list.flatMap((s) => (s.child ? [s.child] : []));
      await stopChildren(live(workers), handBackMs, cfg.services.stop_timeout_ms);
      if (sentinel) await stopChildren(live([sentinel]), cfg.services.stop_timeout_ms, cfg.services.stop_timeout_ms);
      removeRecord(l, host);
      log.info('services stopped', {});
      resolve(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
