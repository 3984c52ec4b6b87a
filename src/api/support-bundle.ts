/**
 * `spoolctl support-bundle`: what a site without a network sends to whoever helps it, in one
 * file (README, "Support bundle"). Each part is collected on its own: one that fails becomes
 * `<part>.error.txt` saying why, and the rest still go in. Secrets are redacted (./redact.ts).
 */
import { hostname, release, uptime } from 'node:os';
import { basename } from 'node:path';
import type { ArchiveEntry } from '../archive/targz.js';
import { readAllRecords } from '../fleet/services-record.js';
import { tailEvents } from '../ledger/queries.js';
import { readLogFile } from '../spool/logs.js';
import { VERSION } from '../version.js';
import { diagnose } from './doctor.js';
import { REDACTED, redactJson, redactText, secretName } from './redact.js';
import { effectiveConfig, openLedgerForRead, openSpool, type SpoolOptions } from './spool.js';
import { getStatusReport } from './status.js';
import { runtimeVersions } from './versions.js';
import { listSupervised, listWorkers } from './workers.js';

export interface BundleOptions {
  /** The newest ledger events to include. */
  events: number;
  /** The end of each service log to include, in bytes. */
  logBytes: number;
}

/** Environment variables whose values help and tell nothing private; of the others only the names go in. */
const SHOWN_ENV = /^(SPOOLCTL_|NODE_|LANG$|LC_|TZ$|PATH$|SHELL$|TERM$|USER$|LOGNAME$|NO_COLOR$)/;

const json = (v: unknown) => `${JSON.stringify(redactJson(v), null, 2)}\n`;

export function supportBundleEntries(
  flag: string | undefined,
  opts: SpoolOptions,
  o: BundleOptions,
): { entries: ArchiveEntry[]; failed: string[] } {
  const entries: ArchiveEntry[] = [];
  const failed: string[] = [];
  const part = (name: string, collect: () => string | ArchiveEntry[]) => {
    try {
      const got = collect();
      if (typeof got === 'string') entries.push({ name, data: Buffer.from(got) });
      else entries.push(...got);
    } catch (err) {
      failed.push(name);
      entries.push({ name: `${name}.error.txt`, data: Buffer.from(`${(err as Error).message}\n`) });
    }
  };
  part('versions.json', () =>
    json({ spoolctl: VERSION, ...runtimeVersions(), os_release: release(), hostname: hostname(), uptime_s: Math.round(uptime()) }),
  );
  part('environment.json', () =>
    json(Object.fromEntries(Object.entries(process.env).map(([k, v]) => [k, secretName(k) ? REDACTED : SHOWN_ENV.test(k) ? v : '(set)']))),
  );
  part('config.json', () => {
    const loaded = effectiveConfig(flag, opts);
    return json({ config: loaded.config, origins: loaded.origins });
  });
  part('doctor.json', () => json(diagnose(flag, opts)));
  const s = (() => {
    try {
      return openSpool(flag, opts);
    } catch (err) {
      failed.push('spool');
      entries.push({ name: 'spool.error.txt', data: Buffer.from(`${(err as Error).message}\n`) });
      return undefined;
    }
  })();
  if (s) {
    part('status.json', () => json(getStatusReport(s)));
    part('workers.json', () => json({ slots: listWorkers(s), supervised: listSupervised(s) }));
    part('ledger-tail.jsonl', () => {
      const db = openLedgerForRead(s);
      if (!db) return 'no ledger on this host\n';
      try {
        return tailEvents(db, o.events)
          .map((e) => JSON.stringify(redactJson({ ...e, detail: JSON.parse(e.detail) as unknown })))
          .join('\n')
          .concat('\n');
      } finally {
        db.close();
      }
    });
    for (const rec of readAllRecords(s.l)) {
      part(`services/${rec.host}.json`, () => json(rec));
      for (const child of rec.children)
        part(`logs/services/${rec.host}/${basename(child.log)}`, () => {
          const tail = readLogFile(child.log, 0, o.logBytes);
          if (!tail) throw new Error(`${child.log} does not exist`);
          return redactText(tail.data.toString('utf8'));
        });
    }
  }
  const listing = entries.map((e) => e.name);
  entries.unshift({
    name: 'README.txt',
    data: Buffer.from(
      `spoolctl support bundle, made ${new Date().toISOString()} on ${hostname()} by spoolctl ${VERSION}.\n` +
        `Values named like secrets (passwords, tokens, keys, credentials) are replaced by ${REDACTED}; ` +
        `of the environment only the names are kept, beside the values of SPOOLCTL_*, NODE_*, PATH, TZ and the locale.\n` +
        `No job manifests and no parameters are included; jobs' output only as far as the ledger's events carry it (a failed attempt's last lines).\n\nParts:\n${listing.map((n) => `  ${n}`).join('\n')}\n`,
    ),
  });
  return { entries, failed };
}
