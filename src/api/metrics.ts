/** `spoolctl metrics`: the spool's metrics as OpenMetrics text, from the ledger and the slots. */
import { metricFamilies } from '../metrics/families.js';
import { renderOpenMetrics } from '../metrics/openmetrics.js';
import { LedgerTally } from '../metrics/tally.js';
import { VERSION } from '../version.js';
import { fileServerNowOrLocal } from './clock.js';
import { slotStates } from './slots.js';
import { ledgerPath, requireLedger, type Spool } from './spool.js';
import { sentinelStatus } from './status.js';

export function spoolMetrics(s: Spool): string {
  const serverNow = fileServerNowOrLocal(s);
  const db = requireLedger(s);
  try {
    return renderOpenMetrics(
      metricFamilies({
        db,
        ledgerPath: ledgerPath(s),
        tally: new LedgerTally(),
        slots: slotStates(s, serverNow),
        sentinelUp: sentinelStatus(s, serverNow).up === true,
        version: VERSION,
        nowMs: Date.now(),
      }),
    );
  } finally {
    db.close();
  }
}
