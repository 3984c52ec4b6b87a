/**
 * One line of `spoolctl doctor`: what was checked, how it went, and, when it did not pass,
 * the fix in one sentence. A check that looks at several things (slots, plugins) reports
 * the worst of them and names each problem in its detail.
 */

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** One problem found by a check that looks at several things. */
export interface Finding {
  status: Exclude<CheckStatus, 'pass'>;
  problem: string;
}

const RANK: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };

export function worst(statuses: CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((w, s) => (RANK[s] > RANK[w] ? s : w), 'pass');
}

export function pass(name: string, detail: string): Check {
  return { name, status: 'pass', detail };
}

/** The check's findings as one line, or a pass with `okDetail` when there are none. */
export function fromFindings(name: string, findings: Finding[], okDetail: string, fix: string): Check {
  if (findings.length === 0) return pass(name, okDetail);
  return { name, status: worst(findings.map((f) => f.status)), detail: findings.map((f) => f.problem).join('; '), fix };
}

/** What to do about the errno a spool write failed with. */
export function fixForErrno(code: string | undefined, path: string): string {
  switch (code) {
    case 'EROFS':
      return `remount the filesystem holding ${path} read-write.`;
    case 'EACCES':
    case 'EPERM':
      return `run spoolctl as a user who may write ${path}, or share the spool with a group (\`spoolctl init DIR --group G\`).`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `free space (or raise the quota) on the filesystem holding ${path}.`;
    default:
      return `check the mount and the file server (\`dmesg\`, the server's logs): every spool write goes through the same calls.`;
  }
}
