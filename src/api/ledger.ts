/** Ledger checks and repair exposed to the CLI and the TUI. */
import { verifyChain, type ChainReport } from '../ledger/verify.js';
import { rebuildLedger as rebuildFromSpool, type RebuildReport } from '../sentinel/rebuild.js';
import { checkJournal, type JournalCheck } from './journal.js';
import { sentinelStatus } from './status.js';
import { requireLedger, type Spool } from './spool.js';

export interface LedgerVerifyReport extends ChainReport {
  /** The journal on the share checked against the ledger; null when journal.enabled is off. */
  journal: JournalCheck | null;
}

export function verifyLedger(s: Spool): LedgerVerifyReport {
  const db = requireLedger(s);
  try {
    const chain = verifyChain(db);
    const journal = checkJournal(s, sentinelStatus(s).up, db);
    return { ...chain, ok: chain.ok && (journal?.ok ?? true), journal };
  } finally {
    db.close();
  }
}

/** A new ledger from the journal and the spool, for when it is corrupt or lost; refused while a sentinel runs. */
export function rebuildLedger(s: Spool): Promise<RebuildReport> {
  return rebuildFromSpool(s.l, s.loaded);
}
