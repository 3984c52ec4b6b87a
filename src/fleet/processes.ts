/**
 * Starting and stopping spoolctl's own processes (sentinel, workers) as children, each in
 * its own process group (a Ctrl-C in the parent's terminal does not reach them: the parent
 * decides how they stop) and each logging to a file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { selfCommand } from '../paths.js';
import { sleep } from '../proc.js';

export interface Child {
  role: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

export function startRole(role: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Child {
  const [node, script] = selfCommand() as [string, string];
  const fd = openSync(logFile, 'a');
  const proc = spawn(node, [script, ...args], { stdio: ['ignore', fd, fd], detached: true, env });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { role, proc, exited };
}

function signal(c: Child, sig: NodeJS.Signals): void {
  if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill(sig);
}

/**
 * Graceful stop: SIGTERM; after `handBackMs` a second SIGTERM (a worker hands its job back);
 * after `killMs` SIGKILL. Resolves when every child has exited.
 */
export async function stopChildren(children: Child[], handBackMs = 1500, killMs = 10_000): Promise<void> {
  const alive = children.filter((c) => c.proc.exitCode === null && c.proc.signalCode === null);
  if (alive.length === 0) return;
  for (const c of alive) signal(c, 'SIGTERM');
  const all = Promise.all(alive.map((c) => c.exited));
  const again = setTimeout(() => alive.forEach((c) => signal(c, 'SIGTERM')), handBackMs);
  const kill = setTimeout(() => alive.forEach((c) => signal(c, 'SIGKILL')), killMs);
  await all;
  clearTimeout(again);
  clearTimeout(kill);
}

/** Waits until `check` holds, polling; false on timeout. */
export async function waitFor(check: () => boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(everyMs);
  }
  return check();
}
