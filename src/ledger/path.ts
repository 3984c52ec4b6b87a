/** Where a spool's ledger is: one answer for the sentinel, `ledger rebuild`, the readers and chaos. */
import type { LoadedConfig } from '../config/load.js';
import { defaultLedgerPath, type Layout } from '../spool/layout.js';

/** ledger.path when set (a local disk of the sentinel's host), else ledger/ledger.db in the spool. */
export function ledgerPathOf(l: Layout, loaded: LoadedConfig): string {
  return loaded.config.ledger.path || defaultLedgerPath(l);
}
