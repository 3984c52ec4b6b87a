/**
 * `spoolctl doctor`: what is wrong with a spool as seen from this host, one check per line,
 * each with its fix. It reads, and writes nothing but one probe file in tmp/ that it removes:
 * it works on a read-only spool and without a sentinel, and opens the ledger read-only. A
 * check that throws is reported as failed with its error; the others still run.
 * The checks live in src/doctor/, one module per subject.
 */
import { coerceError, ConfigError } from '../errors.js';
import type { Check } from '../doctor/check.js';
import { checkLedgerDisk, checkLedgerLocation, checkSpoolDisk, checkSpoolFilesystem } from '../doctor/filesystem.js';
import { checkJournalFiles } from '../doctor/journal.js';
import { checkLedger } from '../doctor/ledger.js';
import { checkRunAs, checkSentinel, checkSlots } from '../doctor/sentinel-slots.js';
import { checkLayout, checkWorldWritable, checkWriteAccess } from '../doctor/permissions.js';
import { checkPluginCommands, checkPluginEnvs, checkPluginFiles, checkPluginSpawner, loadPlugins } from '../doctor/plugins.js';
import { probeSpool } from '../doctor/probe.js';
import { slotStates } from './slots.js';
import { sentinelStatus, type SentinelStatus } from './status.js';
import { openSpool, type Spool, type SpoolOptions } from './spool.js';

export type { Check, CheckStatus } from '../doctor/check.js';

/** Shape of `doctor --json`. */
export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

function guarded(name: string, run: () => Check | Check[]): Check[] {
  try {
    return [run()].flat();
  } catch (err) {
    return [
      {
        name,
        status: 'fail',
        detail: `could not be checked: ${coerceError(err).message}`,
        fix: 'fix what the error names (often a permission, or a file server that does not answer) and run doctor again.',
      },
    ];
  }
}

const UNKNOWN_SENTINEL: SentinelStatus = { up: false, host: null, pid: null, started_at: null, beat_age_s: null, standby: [] };

function runChecks(s: Spool): Check[] {
  const probe = probeSpool(s);
  // The ledger checks ask where the sentinel runs; a sentinel.json that cannot be read counts as down.
  let sentinel = UNKNOWN_SENTINEL;
  const sentinelCheck = guarded('sentinel', () => {
    sentinel = sentinelStatus(s);
    return checkSentinel(s, sentinel);
  });
  return [
    ...sentinelCheck,
    ...guarded('filesystem', () => checkSpoolFilesystem(s)),
    ...guarded('ledger-location', () => checkLedgerLocation(s, sentinel)),
    ...guarded('disk-spool', () => checkSpoolDisk(s)),
    ...guarded('disk-ledger', () => checkLedgerDisk(s)),
    ...guarded('layout', () => checkLayout(s)),
    ...guarded('world-writable', () => checkWorldWritable(s)),
    ...guarded('write-access', () => checkWriteAccess(s)),
    probe.probe,
    probe.clock,
    ...guarded('slots', () => {
      // Heartbeat ages by the file server's clock, as the sentinel judges them.
      const serverNow = Date.now() + (probe.offsetMs ?? 0);
      const views = slotStates(s, serverNow);
      return [checkSlots(s, views, serverNow), checkRunAs(s, views)];
    }),
    ...guarded('ledger', () => checkLedger(s, sentinel)),
    ...guarded('journal', () => checkJournalFiles(s, sentinel)),
    ...guarded('plugins', () => {
      const plugins = loadPlugins(s);
      return [checkPluginFiles(plugins), checkPluginEnvs(s, plugins), checkPluginCommands(s, plugins)];
    }),
    ...guarded('plugin-spawn', checkPluginSpawner),
  ];
}

export function diagnose(spoolFlag: string | undefined, opts: SpoolOptions = {}): DoctorReport {
  let s: Spool;
  try {
    s = openSpool(spoolFlag, opts);
  } catch (err) {
    // Every check needs the configuration: a broken one is the only finding.
    if (!(err instanceof ConfigError)) throw err;
    return {
      ok: false,
      checks: [
        {
          name: 'config',
          status: 'fail',
          detail: err.message,
          fix: 'correct that setting; `spoolctl config show --origin` shows where each value comes from.',
        },
      ],
    };
  }
  const checks = runChecks(s);
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}
