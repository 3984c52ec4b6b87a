/**
 * How a reason in words names a time. The api's default is UTC, which is what JSON readers get;
 * the CLI's human output and the TUI pass the viewer's zone (or UTC with --utc).
 */
export interface TimeText {
  /** 14:02:11 */
  time(iso: string): string;
  /** 2026-12-03 15:00:00Z */
  date(iso: string): string;
}

export const UTC_TEXT: TimeText = {
  time: (iso) => new Date(iso).toISOString().slice(11, 19),
  date: (iso) => `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')}Z`,
};
