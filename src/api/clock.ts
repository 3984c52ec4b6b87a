/** The file server's clock as seen from a reader: a probe write if the spool is writable. */
import { hostId } from '../config/identity.js';
import { fileServerNow } from '../spool/clock.js';
import type { Spool } from './spool.js';

export function fileServerNowOrLocal(s: Spool): number {
  try {
    return fileServerNow(s.l, `${hostId()}-reader`);
  } catch {
    return Date.now();
  }
}
