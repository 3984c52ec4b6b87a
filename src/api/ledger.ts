/** Ledger checks exposed to the CLI and the TUI. */
import { verifyChain, type ChainReport } from '../ledger/verify.js';
import { requireLedger, type Spool } from './spool.js';

export function verifyLedger(s: Spool): ChainReport {
  const db = requireLedger(s);
  try {
    return verifyChain(db);
  } finally {
    db.close();
  }
}
