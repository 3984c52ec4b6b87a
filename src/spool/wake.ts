/**
 * Wake-up hints for the sentinel: a raw inotify watch per directory that only says "something
 * changed here". pending/ may hold tens of thousands of files, and a watcher that tracks
 * entries (chokidar re-reads and stats the whole directory on each change) would cost more
 * than the pass it triggers. The periodic pass stays the truth (spool-layout.md rule 7): a
 * directory that cannot be watched (an NFS mount, no inotify watches left) is only slower.
 */
import { watch, type FSWatcher } from 'node:fs';

export interface WakeWatch {
  close(): void;
}

/** `onChange` gets the directory and, where inotify names it, the entry that changed. */
export function watchForChanges(
  dirs: string[],
  onChange: (dir: string, name: string | null) => void,
  onError: (dir: string, err: Error) => void,
): WakeWatch {
  const watchers: FSWatcher[] = [];
  for (const dir of dirs) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => onChange(dir, name));
      w.on('error', (err) => {
        onError(dir, err);
        w.close();
      });
      watchers.push(w);
    } catch (err) {
      onError(dir, err as Error);
    }
  }
  return {
    close() {
      for (const w of watchers) w.close();
    },
  };
}
