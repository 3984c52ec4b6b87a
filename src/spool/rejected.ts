/**
 * rejected/: each file there, whatever its name, is one rejected item, with one record of why
 * beside it (<name>.error.json). The record also says which id the item is listed under.
 */
import { readFileSync } from 'node:fs';
import { ERROR_SUFFIX, rejectedRecordPath, type Layout } from './layout.js';
import { listNames } from './scan.js';

export interface RejectionRecord {
  original_name: string;
  /** The job id, or the file's name in rejected/ when its own name gave no usable id. Absent in records written before it was kept. */
  id?: string;
  reason: string;
  at: string;
}

/** The names of the rejected files, without their records. */
export function listRejected(l: Layout): string[] {
  return listNames(l.rejected).filter((n) => !n.endsWith(ERROR_SUFFIX));
}

/** The record beside rejected/<name>; undefined if it is missing or unreadable (a file put there by hand). */
export function readRejectionRecord(l: Layout, name: string): Partial<RejectionRecord> | undefined {
  try {
    const v = JSON.parse(readFileSync(rejectedRecordPath(l, name), 'utf8')) as unknown;
    return v !== null && typeof v === 'object' ? (v as Partial<RejectionRecord>) : undefined;
  } catch {
    return undefined;
  }
}
