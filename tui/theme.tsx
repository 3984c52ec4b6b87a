/**
 * Colour and character choices. With NO_COLOR or --no-color nothing is coloured and state is
 * carried by words, bold and inverse; with --ascii no box or block characters are drawn.
 */
import React, { createContext, useContext } from 'react';

export interface Theme {
  color: boolean;
  ascii: boolean;
  readonly: boolean;
  /** Times in UTC (--utc); else in the local zone, which the header names. */
  utc?: boolean;
}

const ThemeContext = createContext<Theme | undefined>(undefined);

export function ThemeProvider({ theme, children }: { theme: Theme; children: React.ReactNode }) {
  return <ThemeContext.Provider value={theme}>{children}</ThemeContext.Provider>;
}

export function useTheme(): Theme {
  const t = useContext(ThemeContext);
  if (!t) throw new Error('useTheme used outside ThemeProvider');
  return t;
}

const STATE_COLORS: Record<string, string> = {
  busy: 'green',
  idle: 'cyan',
  free: 'gray',
  stale: 'red',
  dead: 'red',
  draining: 'yellow',
  pending: 'cyan',
  claimed: 'green',
  done: 'blue',
  failed: 'red',
  held: 'yellow',
  cancelled: 'gray',
  rejected: 'magenta',
};

/** Props for <Text> showing a state word: a colour when allowed, else bold for the alarming ones. */
export function stateStyle(theme: Theme, state: string): { color?: string; bold?: boolean } {
  if (theme.color) return { color: STATE_COLORS[state] };
  return state === 'stale' || state === 'dead' || state === 'failed' ? { bold: true } : {};
}
