/**
 * The worker's spawn addon (src/worker/posix-spawn.c, built by `npm ci` into build/Release):
 * plugins start with vfork instead of a fork of the worker, as another user when asked, and
 * are killed by the kernel when the worker dies. When the addon is not built or does not
 * load, plugins start with child_process.spawn, and the worker says so.
 *
 * Exits are told by SIGCHLD, which sweeps every plugin still running (signals of one kind
 * are merged, so one may stand for several exits).
 */
import { constants } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { CommandPaths } from './command-path.js';

interface Addon {
  spawn(
    command: string,
    argv: string[],
    envp: string[],
    cwd: string,
    outputFd: number,
    progressFd: number,
    uid: number,
    gid: number,
  ): number;
  reap(pid: number): [number | null, number | null] | undefined;
}

export interface NativeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NativeSpawner {
  /**
   * Starts `argv` in a session of its own, as `user` when given; throws an Error with an errno
   * name in `code` when it cannot.
   */
  spawn(
    argv: string[],
    env: NodeJS.ProcessEnv,
    cwd: string,
    outputFd: number,
    progressFd: number,
    user?: { uid: number; gid: number },
  ): { pid: number; exited: Promise<NativeExit> };
}

export const ADDON_PATH = join(packageRoot(), 'build', 'Release', 'posix_spawn.node');

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));
const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

let loaded: { spawner?: NativeSpawner; error?: string } | undefined;

/** The addon's spawner, or why there is none. Loaded once per process. */
export function nativeSpawner(): { spawner?: NativeSpawner; error?: string } {
  if (!loaded) {
    try {
      loaded = { spawner: spawnerOf(createRequire(import.meta.url)(ADDON_PATH) as Addon) };
    } catch (err) {
      loaded = { error: (err as Error).message.split('\n')[0] };
    }
  }
  return loaded;
}

function spawnerOf(addon: Addon): NativeSpawner {
  const waiting = new Map<number, (exit: NativeExit) => void>();
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    for (const [pid, resolve] of waiting) {
      let status: ReturnType<Addon['reap']>;
      try {
        status = addon.reap(pid);
      } catch {
        // ECHILD: reaped elsewhere, so its status is lost; it has exited all the same
        status = [null, null];
      }
      if (!status) continue;
      waiting.delete(pid);
      resolve({ code: status[0], signal: status[1] === null ? null : (SIGNAL_NAMES.get(status[1]) ?? null) });
    }
    if (waiting.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  let listening = false;
  const paths = new CommandPaths();
  return {
    spawn(argv, env, cwd, outputFd, progressFd, user) {
      if (!listening) {
        process.on('SIGCHLD', sweep);
        listening = true;
      }
      const envp: string[] = [];
      for (const [k, v] of Object.entries(env)) if (v !== undefined) envp.push(`${k}=${v}`);
      const command = argv[0]!;
      const file = paths.fileFor(command, env.PATH, cwd);
      const start = (what: string) => {
        try {
          return addon.spawn(what, argv, envp, cwd, outputFd, progressFd, user?.uid ?? -1, user?.gid ?? -1);
        } catch (err) {
          const errno = (err as { errno?: number }).errno;
          throw Object.assign(err as Error, { code: errno === undefined ? undefined : ERRNO_NAMES.get(errno) });
        }
      };
      let pid: number;
      try {
        pid = start(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (file === command || (code !== 'ENOENT' && code !== 'EACCES')) throw err;
        // The kept file went away or changed since it was found: the addon searches PATH itself.
        paths.forget(command, env.PATH, cwd);
        pid = start(command);
      }
      const exited = new Promise<NativeExit>((resolve) => waiting.set(pid, resolve));
      // Keeps the event loop alive while a plugin runs, as a child_process handle would.
      sweeper ??= setInterval(sweep, 1000);
      return { pid, exited };
    },
  };
}
