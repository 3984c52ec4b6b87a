// Running a plugin, once with the posix_spawn addon and once with child_process.spawn: real
// processes, the same contract from both. Each plugin is a shell script that reports what it
// saw (its session, its signal dispositions, its stdin, its cwd) through its output.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statFields } from '../../src/proc.js';
import { OutputCapture } from '../../src/worker/capture.js';
import { JobLog } from '../../src/worker/job-log.js';
import { nativeSpawner, type NativeSpawner } from '../../src/worker/native-spawn.js';
import { startPlugin, type RunSpec } from '../../src/worker/runner.js';
import { until } from '../helpers/spool.js';

const native = nativeSpawner();

it('loads the posix_spawn addon that npm ci builds', () => {
  expect(native.error).toBeUndefined();
  expect(native.spawner).toBeDefined();
});

let dir: string;
let output: OutputCapture;
let progress: OutputCapture;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spoolctl-runner-'));
  output = new OutputCapture(dir);
  progress = new OutputCapture(dir);
});

afterEach(() => {
  output.close();
  progress.close();
  rmSync(dir, { recursive: true, force: true });
});

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** The process has exec'd `program` (its command line is no longer the spawner's). */
function execed(pid: number | undefined, program: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === program;
  } catch {
    return false;
  }
}

describe.each([
  ['posix_spawn', native.spawner],
  ['child_process', undefined],
] as [string, NativeSpawner | undefined][])('a plugin started with %s', (_name, spawner) => {
  const reports: [number | undefined, string | undefined][] = [];

  /** `sleep SECONDS` started and exec'd, logging to `logName`. */
  async function sleeping(logName: string, seconds: string, killGraceMs: number) {
    const log = new JobLog(join(dir, logName), 1 << 20, '');
    const running = startPlugin({
      argv: ['sleep', seconds],
      env: { PATH: process.env.PATH },
      cwd: dir,
      log,
      output,
      progress,
      killGraceMs,
      onProgress: () => undefined,
      spawner,
    });
    await until('sleep running', () => execed(running.pid, 'sleep'));
    return { running, log };
  }

  async function run(argv: string[], extra: Partial<RunSpec> = {}) {
    reports.length = 0;
    const logPath = join(dir, 'job.log');
    const log = new JobLog(logPath, 1 << 20, '');
    const running = startPlugin({
      argv,
      env: { PATH: process.env.PATH, HOME: dir, ...extra.env },
      cwd: dir,
      log,
      output,
      progress,
      killGraceMs: 300,
      onProgress: (p, m) => reports.push([p, m]),
      spawner,
      ...extra,
    });
    const out = await running.done;
    log.close();
    // The job log is created by the first byte written to it.
    return { ...out, pid: running.pid, log: existsSync(logPath) ? readFileSync(logPath, 'utf8') : '' };
  }

  it('runs in a session of its own, with stdin empty, default signal dispositions and the cwd given', async () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    const plugin = script(
      'probe.sh',
      [
        'set -- $(cut -d")" -f2 /proc/$$/stat)',
        'echo "pid=$$ pgrp=$3 session=$4"',
        'echo "ignored=$(grep SigIgn /proc/$$/status | cut -f2)"',
        'echo "stdin=$(cat | wc -c)"',
        'echo "cwd=$(pwd)"',
        'echo "to stderr" >&2',
      ].join('\n'),
    );
    const out = await run([plugin], { cwd: sub });
    expect(out.exitCode).toBe(0);
    expect(out.signal).toBeNull();
    expect(out.log).toContain(`pid=${out.pid} pgrp=${out.pid} session=${out.pid}`);
    // Node ignores SIGPIPE; a plugin must not inherit that. Signals 1-31 are the low bits;
    // glibc keeps its own two internal signals (32, 33) from programs, which cannot use them.
    const ignored = BigInt(`0x${/ignored=([0-9a-f]+)/.exec(out.log)?.[1] ?? 'ffff'}`);
    expect(ignored & 0x7fffffffn).toBe(0n);
    expect(out.log).toContain('stdin=0');
    expect(out.log).toContain(`cwd=${sub}`);
    expect(out.log).toContain('to stderr');
  });

  it('looks the command up in the job environment PATH, and passes that environment', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'only-here'), '#!/bin/sh\necho "found with FOO=$FOO"\n');
    chmodSync(join(bin, 'only-here'), 0o755);
    const out = await run(['only-here'], { env: { PATH: `/nonexistent:${bin}:/usr/bin:/bin`, FOO: 'a b\nc' } });
    expect(out.exitCode).toBe(0);
    expect(out.log).toContain('found with FOO=a b\nc');
  });

  it('finds a command again when it moves within PATH, and one installed earlier in PATH within a second', async () => {
    const [early, late] = [join(dir, 'early'), join(dir, 'late')];
    mkdirSync(early);
    mkdirSync(late);
    const install = (at: string) => {
      writeFileSync(join(at, 'moving'), `#!/bin/sh\necho "ran from ${at}"\n`);
      chmodSync(join(at, 'moving'), 0o755);
    };
    const env = { PATH: `${early}:${late}:/usr/bin:/bin` };
    install(late);
    expect((await run(['moving'], { env })).log).toContain(`ran from ${late}`);
    rmSync(join(late, 'moving'));
    install(early);
    expect((await run(['moving'], { env })).log).toContain(`ran from ${early}`);
    install(late);
    rmSync(join(early, 'moving'));
    expect((await run(['moving'], { env })).log).toContain(`ran from ${late}`);
    install(early);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await run(['moving'], { env })).log).toContain(`ran from ${early}`);
  });

  it('passes each argument as it is, with no shell', async () => {
    const out = await run(['printf', '[%s]', 'a b', '; rm -rf /', '$HOME', '']);
    expect(out.log).toBe('[a b][; rm -rf /][$HOME][]');
  });

  it('reports the exit code, and a signal by name', async () => {
    expect((await run(['sh', '-c', 'exit 7'])).exitCode).toBe(7);
    const killed = await run(['sh', '-c', 'kill -USR1 $$']);
    expect(killed.exitCode).toBeNull();
    expect(killed.signal).toBe('SIGUSR1');
  });

  it('reads progress lines from fd 3', async () => {
    const out = await run(['sh', '-c', 'echo \'{"progress":0.5,"message":"half"}\' >&3; echo "not json" >&3; echo \'{"progress":1}\' >&3']);
    expect(out.exitCode).toBe(0);
    expect(reports).toEqual([
      [0.5, 'half'],
      [1, undefined],
    ]);
  });

  it('runs a script with no #! line with /bin/sh, as execvp does', async () => {
    const path = join(dir, 'bare');
    writeFileSync(path, 'echo "bare script ran"\n');
    chmodSync(path, 0o755);
    const out = await run([path]);
    expect(out.exitCode).toBe(0);
    expect(out.log).toContain('bare script ran');
  });

  it('says why a plugin cannot start: no such command, not executable, no working directory', async () => {
    expect((await run(['no-such-command-anywhere'])).spawnError).toBe('command not found: no-such-command-anywhere');
    const plain = join(dir, 'plain');
    writeFileSync(plain, 'echo hi\n');
    expect((await run([plain])).spawnError).toMatch(/^cannot start .*plain: /);
    const gone = join(dir, 'gone');
    expect((await run(['true'], { cwd: gone })).spawnError).toBe(`working directory not found: ${gone}`);
    expect((await run(['echo', 'a\0b'])).spawnError).toBe('cannot start echo: an argument holds a NUL byte');
  });

  it('kills the whole process group past its timeout, a child that ignores SIGTERM included', async () => {
    const marker = join(dir, 'survived');
    const childPid = join(dir, 'child.pid');
    const child = script('child.sh', `trap '' TERM; echo $$ > ${childPid}; sleep 2; touch ${marker}`);
    const out = await run(['sh', '-c', `trap '' TERM; ${child} & sleep 30`], { timeoutMs: 200 });
    expect(out.timedOut).toBe(true);
    expect(out.signal).toBe('SIGKILL');
    // The child is gone (or a zombie): it can never write its marker.
    const pid = await until('the child started', () => existsSync(childPid) && readFileSync(childPid, 'utf8').trim());
    await until('the child killed', () => (statFields(pid)?.[0] ?? 'Z') === 'Z');
    expect(() => readFileSync(marker)).toThrow();
  });

  it('inherits no descriptor of the worker but its stdin, stdout, stderr and fd 3', async () => {
    // Descriptors this process inherited without close-on-exec (the test runner's own) pass
    // through any exec; everything the worker opens is close-on-exec.
    const O_CLOEXEC = 0o2000000;
    const inheritable = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        const info = existsSync(`/proc/self/fdinfo/${fd}`) ? readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8') : '';
        return Number(fd) > 3 && info !== '' && (parseInt(/flags:\s+(\d+)/.exec(info)?.[1] ?? '0', 8) & O_CLOEXEC) === 0;
      });
    // The runner's own may come and go while the plugin starts: those open before or after it count.
    const before = inheritable();
    const { running, log } = await sleeping('fds.log', '5', 300);
    const fds = readdirSync(`/proc/${running.pid}/fd`).sort();
    const runners = new Set([...before, ...inheritable()]);
    running.stop();
    await running.done;
    log.close();
    expect(fds.filter((fd) => !runners.has(fd))).toEqual(['0', '1', '2', '3']);
    expect(fds).not.toContain(String(output.fd));
  });

  it('stops the plugin on request', async () => {
    const { running, log } = await sleeping('stop.log', '30', 1000);
    running.stop();
    const out = await running.done;
    log.close();
    expect(out.stopped).toBe(true);
    expect(out.signal).toBe('SIGTERM');
  });
});
