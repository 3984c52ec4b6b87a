/**
 * The key table: every command, its keys and its help text. The key dispatcher and the help
 * overlay both read this table, so what `?` shows is what the keys do.
 */
export type Command =
  | 'down'
  | 'up'
  | 'top'
  | 'bottom'
  | 'pageDown'
  | 'pageUp'
  | 'nextView'
  | 'dashboard'
  | 'jobs'
  | 'slots'
  | 'events'
  | 'prevState'
  | 'nextState'
  | 'open'
  | 'log'
  | 'back'
  | 'filter'
  | 'sort'
  | 'help'
  | 'quit'
  | 'requeue'
  | 'holdRelease'
  | 'cancel'
  | 'drain'
  | 'cleanup'
  | 'pause';

export interface Binding {
  command: Command;
  keys: string[];
  help: string;
  /** Changes the spool: hidden with --readonly. */
  action?: boolean;
}

export const KEYMAP: Binding[] = [
  { command: 'down', keys: ['j', 'down'], help: 'move down' },
  { command: 'up', keys: ['k', 'up'], help: 'move up' },
  { command: 'top', keys: ['g', 'home'], help: 'first row' },
  { command: 'bottom', keys: ['G', 'end'], help: 'last row' },
  { command: 'pageDown', keys: ['pagedown', 'ctrl+f'], help: 'page down' },
  { command: 'pageUp', keys: ['pageup', 'ctrl+b'], help: 'page up' },
  { command: 'nextView', keys: ['tab'], help: 'next view' },
  { command: 'dashboard', keys: ['1'], help: 'dashboard' },
  { command: 'jobs', keys: ['2'], help: 'jobs' },
  { command: 'slots', keys: ['3'], help: 'slots' },
  { command: 'events', keys: ['4'], help: 'ledger events' },
  { command: 'prevState', keys: ['left', 'H'], help: 'jobs: previous state' },
  { command: 'nextState', keys: ['right', 'L'], help: 'jobs: next state' },
  { command: 'open', keys: ['enter'], help: 'open job detail' },
  { command: 'log', keys: ['l'], help: 'job log (follows it)' },
  { command: 'back', keys: ['escape'], help: 'back / clear filter' },
  { command: 'filter', keys: ['/'], help: 'filter id/plugin/error (!x: not x)' },
  { command: 'sort', keys: ['s'], help: 'jobs: next sort key' },
  { command: 'help', keys: ['?'], help: 'this help' },
  { command: 'quit', keys: ['q', 'ctrl+c'], help: 'quit' },
  { command: 'requeue', keys: ['r'], help: 'requeue job (asks)', action: true },
  { command: 'holdRelease', keys: ['h'], help: 'hold / release job', action: true },
  { command: 'cancel', keys: ['c'], help: 'cancel job (asks)', action: true },
  { command: 'drain', keys: ['d'], help: 'drain / undrain slot (asks)', action: true },
  { command: 'cleanup', keys: ['x'], help: 'clean up dead slots (asks)', action: true },
  { command: 'pause', keys: ['p'], help: 'pause / resume dispatch (asks)', action: true },
];

const BY_KEY = new Map<string, Binding>(KEYMAP.flatMap((b) => b.keys.map((k) => [k, b] as const)));

export function commandFor(key: string, readonly: boolean): Command | undefined {
  const b = BY_KEY.get(key);
  if (!b || (readonly && b.action)) return undefined;
  return b.command;
}
