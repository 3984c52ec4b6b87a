/** Ledger checks and repair exposed to the CLI and the TUI. */
import { verifyChain, type ChainReport } from '../ledger/verify.js';
import { rebuildLedger as rebuildFromSpool, type RebuildReport } from '../sentinel/rebuild.js';
import { requireLedger, type Spool } from './spool.js';

export function verifyLedger(s: Spool): ChainReport {
  const db = requireLedger(s);
  try {
    return verifyChain(db);
  } finally {
    db.close();
  }
}

/** A new ledger from the spool, for when it is corrupt or lost; refused while a sentinel runs. */
export function rebuildLedger(s: Spool): Promise<RebuildReport> {
  return rebuildFromSpool(s.l, s.loaded);
}
