/**
 * The ledger file deleted or replaced while the sentinel runs: a new ledger, from the journal
 * and the spool. A replacement that the journal disagrees with (another spool's ledger?) is
 * refused as it is at start, with a ConfigError: the sentinel stops rather than run on without
 * a ledger to commit to, which would dispatch nothing and say so nowhere.
 */
import { statSync } from 'node:fs';
import { useLedger, type SentinelContext } from './context.js';
import { syncJournal } from './journal-sync.js';
import { ledgerFileGone, openSentinelDb, type LedgerFile } from './ledger-file.js';
import { reconcile } from './reconcile.js';

export function reopenIfGone(ctx: SentinelContext, file: LedgerFile): LedgerFile {
  if (!ledgerFileGone(file)) return file;
  ctx.log.error(
    'the ledger file was deleted or replaced while the sentinel ran; starting a new one from the journal and the spool (without a journal, the history before now is lost)',
    { ledger: file.path },
  );
  try {
    ctx.ledger.flush();
  } catch {
    // the old file is gone: what it could not take is rebuilt from the spool below
  }
  file.db.close();
  const db = openSentinelDb(file.path, ctx.cfg.ledger.busy_timeout_ms);
  try {
    const next = { db, path: file.path, ino: statSync(file.path).ino };
    useLedger(ctx, db);
    const { replayed } = syncJournal(ctx);
    ctx.pending.clear();
    reconcile(ctx);
    ctx.ledger.record({
      type: 'ledger_replaced',
      actor: 'sentinel',
      detail: { reason: 'the ledger file was deleted or replaced while the sentinel ran', history_lost: !ctx.journal, replayed },
    });
    return next;
  } catch (err) {
    // The next pass (or the stop) finds the file still gone and tries again from the start.
    db.close();
    throw err;
  }
}
