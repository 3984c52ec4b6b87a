/**
 * What shell completion offers from a spool: plugin names and job ids, read from directory
 * listings alone (no ledger, no configuration), since it runs on every Tab.
 */
import { HARD_SLOT_CAP } from '../config/schema.js';
import { doneDayPath, layoutOf, type Layout } from '../spool/layout.js';
import { listClaims, listNames, listStateDir } from '../spool/scan.js';
import { findSpoolDir } from './spool.js';

/** The spool a command line would work on, or undefined when it names none that exists. */
function spoolLayout(flag: string | undefined): Layout | undefined {
  try {
    return layoutOf(findSpoolDir(flag));
  } catch {
    return undefined;
  }
}

export function pluginNames(spoolFlag: string | undefined): string[] {
  const l = spoolLayout(spoolFlag);
  if (!l) return [];
  return listNames(l.plugins)
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -'.json'.length));
}

/**
 * Ids of the jobs in pending/, claimed/, held/, failed/, cancelled/ and done/'s newest day:
 * older done jobs would make every Tab list a whole day partition per day kept.
 */
export function jobIds(spoolFlag: string | undefined): string[] {
  const l = spoolLayout(spoolFlag);
  if (!l) return [];
  const ids = [l.pending, l.held, l.failed, l.cancelled].flatMap((dir) => listStateDir(dir).jobs.map((j) => j.id));
  for (let slot = 1; slot <= HARD_SLOT_CAP; slot += 1) ids.push(...listClaims(l, slot).claims.map((c) => c.id));
  const newestDay = listNames(l.done).sort().at(-1);
  if (newestDay) ids.push(...listStateDir(doneDayPath(l, newestDay)).jobs.map((j) => j.id));
  return [...new Set(ids)].sort();
}
