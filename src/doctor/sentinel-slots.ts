/**
 * The processes that serve the spool, judged as the sentinel judges them (src/slot-state.ts,
 * by the file server's clock): the sentinel, each slot's holder, and whether a worker on
 * this host runs its plugins as root.
 *
 * A dead holder (its pid gone on this host) or a stale one (heartbeat older than
 * worker.stale_after_ms) is a FAIL: its slot stays taken until it is freed. A lock with no
 * heartbeat, unrefreshed past the limit, is a WARN: it holds no job. A sentinel that is down
 * is a FAIL while jobs or requests wait for it, else a WARN.
 */
import { readFileSync } from 'node:fs';
import { hostId } from '../config/identity.js';
import { exists } from '../spool/atomic.js';
import { allSlotNumbers, listClaims, listNames, listStateDir, mtimeMs } from '../spool/scan.js';
import { isLive, type SlotState } from '../slot-state.js';
import { sentinelLockDir } from '../spool/sentinel-info.js';
import { lockDirOf } from '../spool/slots.js';
import type { SentinelStatus } from '../api/status.js';
import type { Spool } from '../api/spool.js';
import { fromFindings, pass, type Check, type Finding } from './check.js';

function waitingWork(s: Spool): string[] {
  const pending = listStateDir(s.l.pending).jobs.length;
  const claims = allSlotNumbers().reduce((n, slot) => n + listClaims(s.l, slot).claims.length, 0);
  const requests = listNames(s.l.control).filter((n) => n.endsWith('.json')).length;
  return [
    ...(pending ? [`${pending} job(s) in pending/`] : []),
    ...(claims ? [`${claims} claim(s) in claimed/`] : []),
    ...(requests ? [`${requests} control request(s)`] : []),
  ];
}

export function checkSentinel(s: Spool, st: SentinelStatus): Check {
  if (st.up) return pass('sentinel', `up: pid ${st.pid} on ${st.host}, started ${st.started_at}, last beat ${st.beat_age_s}s ago`);
  const last =
    st.pid === null
      ? 'no sentinel.json: none is running'
      : st.host === hostId()
        ? `sentinel.json names pid ${st.pid} on this host, which is not running`
        : `sentinel.json names pid ${st.pid} on ${st.host}, last beat ${st.beat_age_s}s ago`;
  const lock = exists(sentinelLockDir(s.l)) ? '; its lock is left behind (a new sentinel takes it over)' : '';
  const waiting = waitingWork(s);
  return {
    name: 'sentinel',
    status: waiting.length ? 'fail' : 'warn',
    detail: `down: ${last}${lock}; ${waiting.length ? `waiting for it: ${waiting.join(', ')}` : 'nothing waits for it'}`,
    fix: 'start it with `spoolctl sentinel` (or `spoolctl start-services` on the host meant to run it).',
  };
}

export function checkSlots(s: Spool, views: SlotState[], serverNow: number): Check {
  const findings: Finding[] = [];
  const live: string[] = [];
  for (const v of views) {
    const { slot, heartbeat: hb } = v;
    if (isLive(v.condition) && hb) live.push(`slot ${slot} ${hb.host}:${hb.pid} ${v.condition}`);
    else if ((v.condition === 'dead' || v.condition === 'stale') && hb) {
      findings.push({ status: 'fail', problem: `slot ${slot}: ${v.condition} holder ${hb.host}:${hb.pid} (${v.reason})` });
    } else if (v.locked) {
      const age = serverNow - (mtimeMs(lockDirOf(s.l, slot)) ?? serverNow);
      if (age > s.loaded.config.worker.stale_after_ms)
        findings.push({ status: 'warn', problem: `slot ${slot}: a lock with no heartbeat, not refreshed for ${Math.round(age / 1000)}s` });
    }
  }
  const max = s.loaded.config.worker.max_workers;
  const free = views.filter((v) => v.slot <= max && v.condition === 'free' && !v.locked).length;
  const ok = `${live.length ? `live: ${live.join(', ')}` : 'no live worker'}; ${free} of ${max} slot(s) free`;
  return fromFindings(
    'slots',
    findings,
    ok,
    'run `spoolctl workers cleanup` to free these slots (the sentinel takes back their jobs), then start workers again.',
  );
}

/** The effective uid of a process on this host, from /proc; undefined when it cannot be read. */
function uidOf(pid: number): number | undefined {
  try {
    const m = /^Uid:\s+\d+\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** worker.run_as comes from this host's configuration, so only this host's workers are judged. */
export function checkRunAs(s: Spool, views: SlotState[]): Check {
  const runAs = s.loaded.config.worker.run_as;
  if (runAs) return pass('run-as', `worker.run_as = ${runAs}: a root worker on this host runs its plugins as ${runAs}`);
  const host = hostId();
  const findings: Finding[] = views
    .filter((v) => isLive(v.condition) && v.heartbeat?.host === host && uidOf(v.heartbeat.pid) === 0)
    .map((v) => ({
      status: 'warn',
      problem: `slot ${v.slot}: worker ${host}:${v.heartbeat!.pid} runs as root with no worker.run_as, so its plugins run as root`,
    }));
  return fromFindings(
    'run-as',
    findings,
    'no worker on this host runs as root',
    'set worker.run_as to an unprivileged user (spool.toml or /etc/spoolctl/config.toml) and restart the workers.',
  );
}
