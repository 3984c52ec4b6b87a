// Acceptance (issue 20, point 1): evidence of a job, checkable offline. Jobs that end done,
// failed and reclaimed on a live spool are exported by the real CLI, verified with no spool,
// against the live ledger and against another spool's; each kind of tampering (unpacked,
// altered and repacked with GNU tar, as anyone would) fails verification, naming what changed.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashEvent, type EventRow } from '../../src/chain/event.js';
import { bundleChecksum, sha256, type BundleJson } from '../../src/evidence/bundle.js';
import { fixturePluginCommand } from '../../src/demo/spool.js';
import { selfCommand } from '../../src/paths.js';
import { isDone, makeSpool, manifest, until } from '../helpers/spool.js';

// Bundles live here, outside every spool: the checks after the first run where no spool is.
const work = mkdtempSync(join(tmpdir(), 'spoolctl-evidence-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const bundle = join(work, 'jobs.tar.gz');
/** A copy of the spool's ledger taken after the export: a head recorded independently of the bundle. */
const ledgerCopy = join(work, 'ledger-copy.db');

/** spoolctl with no --spool, no SPOOLCTL_SPOOL, run where no spool.toml is: an air-gapped machine. */
function offline(args: string[]) {
  const [exe, ...pre] = selfCommand() as [string, ...string[]];
  const env = { ...process.env };
  delete env.SPOOLCTL_SPOOL;
  const r = spawnSync(exe, [...pre, ...args], { cwd: work, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tar(args: string[]) {
  const r = spawnSync('tar', args, { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** Unpacks the bundle, lets `alter` change the files, repacks it with GNU tar; the altered bundle's path. */
function tampered(name: string, alter: (dir: string) => void): string {
  const dir = mkdtempSync(join(work, `${name}-`));
  tar(['-xzf', bundle, '-C', dir]);
  alter(dir);
  const out = join(work, `${name}.tar.gz`);
  tar(['-czf', out, '-C', dir, '.']);
  return out;
}

const chainPath = (dir: string) => join(dir, 'chain', 'events.jsonl');
const readChain = (dir: string): EventRow[] =>
  readFileSync(chainPath(dir), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EventRow);
const writeChain = (dir: string, events: EventRow[]) => writeFileSync(chainPath(dir), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
const readJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as BundleJson;

/** What a careful forger does after changing files: bundle.json's digests and checksum made to match them. */
function reseal(dir: string, change?: (b: BundleJson) => void) {
  const b = readJson(dir);
  for (const name of Object.keys(b.files)) b.files[name] = sha256(readFileSync(join(dir, name)));
  change?.(b);
  b.checksum = bundleChecksum(b);
  writeFileSync(join(dir, 'bundle.json'), JSON.stringify(b, null, 2));
}

function expectAltered(path: string, ...named: (string | RegExp)[]) {
  const r = offline(['evidence', 'verify', path]);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  for (const n of named) expect(r.stdout).toMatch(n);
  expect(r.stderr).toMatch(/^spoolctl: .* does not verify: \d+ problems? \(see above\)\.\n$/);
  return r;
}

describe('evidence of a job', () => {
  it('exports done, failed and reclaimed jobs of a live spool; verifies them offline and against the live ledger, not another', async () => {
    const t = makeSpool();
    mkdirSync(join(t.dir, 'envs', 'work-env-1', 'bin'), { recursive: true });
    writeFileSync(join(t.dir, 'envs', 'work-env-1', 'bin', 'tool'), 'a tool\n');
    // Modes as listed, whatever the umask the tests run under.
    chmodSync(join(t.dir, 'envs', 'work-env-1', 'bin'), 0o755);
    chmodSync(join(t.dir, 'envs', 'work-env-1', 'bin', 'tool'), 0o644);
    t.plugin('work', { command: fixturePluginCommand('work.mjs', '{params.ms}', '4'), retry_backoff_ms: 0, env_hash: 'work-env-1' });
    t.sentinel();
    const a = t.worker(['--slot', '1']);
    await until('worker A holds slot 1', () => t.status().slots[0].state === 'idle');
    t.drop('ok.json', manifest('ok', 'work', { params: { ms: 100 }, priority: 3 }));
    t.drop('bad.json', manifest('bad', 'fail', { params: { code: 3 }, max_attempts: 2 }));
    // Failed before its plugin started: no output, so its error record has no log tail.
    t.drop('silent.json', manifest('silent', 'work'));
    await until(
      'ok done, bad and silent failed',
      () => isDone(t, 'ok') && t.job('bad')?.state === 'failed' && t.job('silent')?.state === 'failed',
    );
    t.drop('long.json', manifest('long', 'work', { params: { ms: 3000 } }));
    await until('long running on A', () => {
      const slot = t.status().slots[0];
      return t.job('long')?.state === 'claimed' && slot.state === 'busy' && slot.job === 'long';
    });
    a.child.kill('SIGKILL');
    await until('long back in pending/', () => t.files('pending').some((n) => n.startsWith('long.')), 10_000, 20);
    t.worker(['--slot', '2']);
    await until('long done', () => isDone(t, 'long'));
    expect(t.events('long').map((e) => e.type)).toEqual(['submitted', 'claimed', 'reclaimed', 'claimed', 'done']);

    const exported = t.run(['jobs', 'export', 'ok', 'bad', 'long', 'silent', '--out', bundle]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(
      /^Wrote .*jobs\.tar\.gz \(\d+ bytes\): \d+ chain events at seq \d+\.\.\d+, head seq \d+ [0-9a-f]{8}\.$/m,
    );
    const listed = tar(['-tzf', bundle]).trim().split('\n');
    expect(listed[0]).toBe('bundle.json');
    expect(listed).toEqual(
      expect.arrayContaining([
        'chain/events.jsonl',
        'jobs/ok/manifest.json',
        'jobs/bad/bad.log',
        'jobs/bad/bad.2.error.json',
        'jobs/long/manifest.json',
        'plugins/work.json',
        'plugins/fail.json',
      ]),
    );
    const described = readJsonOf(bundle);
    const head = described.head;
    // The interpreter and the script it runs, by digest; the environment by its listing.
    const okJob = described.jobs.find((j) => j.id === 'ok')!;
    const [node, script] = fixturePluginCommand('work.mjs');
    expect(okJob.command.map((c) => [c.arg, c.path, c.sha256])).toEqual([
      [0, node, sha256(readFileSync(node!))],
      [1, script, sha256(readFileSync(script!))],
    ]);
    expect(okJob.env).toMatchObject({ env_hash: 'work-env-1', listing: { file: 'plugins/work.env.txt' } });
    expect(tar(['-xzOf', bundle, 'plugins/work.env.txt'])).toBe('d 0755 0 bin\nf 0644 7 bin/tool\n');
    const db = t.ledger();
    await db.backup(ledgerCopy);
    db.close();

    const r = offline(['evidence', 'verify', bundle]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const at = `head seq ${head.seq} ${head.hash.slice(0, 8)}`;
    expect(r.stdout).toMatch(
      new RegExp(
        `^job ok: done on attempt 1 at \\S+, 3 events on the chain at seq \\d+\\.\\.\\d+, ${at}; manifest, plugin, environment listing, 1 log intact$`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `^job bad: failed on attempt 2 at \\S+, 5 events on the chain at seq \\d+\\.\\.\\d+, ${at}; manifest, plugin, 2 logs intact$`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `^job long: done on attempt 2 at \\S+, 5 events on the chain at seq \\d+\\.\\.\\d+, ${at}; manifest, plugin, environment listing, 1 log intact$`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(
      new RegExp(`^job silent: failed on attempt 1 at \\S+, 3 events on the chain at seq \\d+\\.\\.\\d+, ${at}; .*intact$`, 'm'),
    );
    expect(r.stdout).toMatch(/^OK: nothing altered\. Attested only by bundle\.json/m);

    const json = offline(['evidence', 'verify', bundle, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      jobs: { id: string; ok: boolean; outcome: { type: string } }[];
      problems: unknown[];
    };
    expect(report.ok).toBe(true);
    expect(report.jobs.map((j) => [j.id, j.ok, j.outcome.type])).toEqual([
      ['ok', true, 'done'],
      ['bad', true, 'failed'],
      ['long', true, 'done'],
      ['silent', true, 'failed'],
    ]);

    // The live ledger has moved on since the export: its chain still passes through the head.
    const live = offline(['evidence', 'verify', bundle, '--ledger', join(t.dir, 'ledger', 'ledger.db')]);
    expect(live.code, live.stdout + live.stderr).toBe(0);
    expect(live.stdout).toContain(`: the head (seq ${head.seq} ${head.hash.slice(0, 8)}) is on its chain, which verifies up to there`);

    const other = makeSpool();
    other.sentinel();
    await until("the other spool's ledger", () => other.events().length > 0);
    const foreign = offline(['evidence', 'verify', bundle, '--ledger', join(other.dir, 'ledger', 'ledger.db')]);
    expect(foreign.code, foreign.stdout + foreign.stderr).toBe(1);
    expect(foreign.stdout).toMatch(/^ledger .*: the ledger (has no event at seq \d+|'s event at seq \d+ has hash).*another chain/m);
    expect(foreign.stdout).not.toContain('OK: nothing altered');
  });

  it('names a log byte changed', () => {
    const out = tampered('log-byte', (dir) => {
      const log = join(dir, 'jobs', 'bad', 'bad.log');
      const data = readFileSync(log);
      data[data.indexOf('quota')] = 'Q'.charCodeAt(0);
      writeFileSync(log, data);
    });
    expectAltered(
      out,
      /^ALTERED jobs\/bad\/bad\.log: was altered: its sha256 is not the one bundle\.json records$/m,
      /^job bad: NOT PROVEN .*altered: jobs\/bad\/bad\.log/m,
      /^job ok: done/m,
    );
  });

  it("names a log changed with bundle.json resealed: the failed events' output tails are on the chain", () => {
    const out = tampered('log-resealed', (dir) => {
      const log = join(dir, 'jobs', 'bad', 'bad.log');
      writeFileSync(log, readFileSync(log, 'utf8').replaceAll('quota exceeded', 'all fine'));
      reseal(dir);
    });
    expectAltered(out, /^ALTERED jobs\/bad\/bad\.log: it lacks the output tail the failed event \(seq \d+\) records$/m);
    expect(offline(['evidence', 'verify', out]).stdout).not.toContain('its sha256 is not');
  });

  it('names a manifest field changed, by its digest and, resealed, by the submitted event', () => {
    /** The bundle with ok's manifest edited, and bundle.json recomputed to match when `resealed`. */
    const edited = (name: string, from: string, to: string, resealed: boolean) =>
      tampered(name, (dir) => {
        const path = join(dir, 'jobs', 'ok', 'manifest.json');
        writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
        if (resealed) reseal(dir);
      });
    const naive = edited('manifest', '"priority":3', '"priority":9', false);
    expectAltered(naive, /^ALTERED jobs\/ok\/manifest\.json: was altered: its sha256/m, /^job ok: NOT PROVEN/m);
    const careful = edited('manifest-resealed', '"priority":3', '"priority":9', true);
    expectAltered(
      careful,
      /^ALTERED jobs\/ok\/manifest\.json \(seq \d+\): field priority is 9 but the submitted event \(seq \d+\) records 3$/m,
    );
    // A field no event names on its own: the manifest's digest, recorded by the submitted event at intake, catches it.
    const input = edited('manifest-input-resealed', '"params":{"ms":100}', '"params":{"ms":101}', true);
    expectAltered(
      input,
      /^ALTERED jobs\/ok\/manifest\.json \(seq \d+\): its sha256 is [0-9a-f]{12}… but the submitted event \(seq \d+\) records [0-9a-f]{12}…$/m,
    );
  });

  it('names an event removed', () => {
    let removed = 0;
    const out = tampered('event-removed', (dir) => {
      const events = readChain(dir);
      const i = events.findIndex((e) => e.job === 'long' && e.type === 'reclaimed');
      removed = events[i]!.seq;
      writeChain(
        dir,
        events.filter((_, j) => j !== i),
      );
      reseal(dir);
    });
    expectAltered(
      out,
      new RegExp(
        `^ALTERED chain/events\\.jsonl \\(seq ${removed + 1}\\): line \\d+ \\(seq ${removed + 1}\\) carries seq ${removed + 1} where seq ${removed} was due`,
        'm',
      ),
      new RegExp(
        `^ALTERED chain/events\\.jsonl \\(seq ${removed}\\): seq ${removed}, an event of job long, is not in the chain \\(removed\\)$`,
        'm',
      ),
    );
  });

  it('names links reordered', () => {
    let swapped = 0;
    const out = tampered('reordered', (dir) => {
      const events = readChain(dir);
      const i = events.findIndex((e) => e.job === 'bad' && e.type === 'failed');
      swapped = events[i]!.seq;
      [events[i], events[i + 1]] = [events[i + 1]!, events[i]!];
      writeChain(dir, events);
      reseal(dir);
    });
    expectAltered(
      out,
      new RegExp(
        `^ALTERED chain/events\\.jsonl \\(seq ${swapped + 1}\\): line \\d+ \\(seq ${swapped + 1}\\) carries seq ${swapped + 1} where seq ${swapped} was due`,
        'm',
      ),
    );
  });

  it("names an event edited with its hash recomputed, by the next link; a chain rewritten to its head, only by a ledger's head", () => {
    let edited = 0;
    const out = tampered('event-edited', (dir) => {
      const events = readChain(dir);
      const e = events.find((x) => x.job === 'bad' && x.type === 'failed')!;
      edited = e.seq;
      e.detail = e.detail.replace('"exit_code":3', '"exit_code":0');
      e.hash = hashEvent(e);
      writeChain(dir, events);
      reseal(dir);
    });
    expectAltered(
      out,
      new RegExp(`^ALTERED chain/events\\.jsonl \\(seq ${edited + 1}\\): .*prev_hash .*: seq ${edited} was changed or replaced$`, 'm'),
    );

    // Every hash after the edit recomputed and the head moved with them: the bundle is
    // consistent in itself, which is what verify alone can prove; a head recorded elsewhere is not fooled.
    const rewritten = tampered('chain-rewritten', (dir) => {
      const events = readChain(dir);
      let prev: string | undefined;
      for (const e of events) {
        if (prev) e.prev_hash = prev;
        if (e.seq === edited) e.detail = e.detail.replace('"exit_code":3', '"exit_code":0');
        e.hash = hashEvent(e);
        prev = e.hash;
      }
      writeChain(dir, events);
      const error = join(dir, 'jobs', 'bad', 'bad.2.error.json');
      writeFileSync(error, readFileSync(error, 'utf8').replace('"exit_code": 3', '"exit_code": 0'));
      reseal(dir, (b) => (b.head = { seq: events.at(-1)!.seq, hash: events.at(-1)!.hash }));
    });
    expect(offline(['evidence', 'verify', rewritten]).code).toBe(0);
    const against = offline(['evidence', 'verify', rewritten, '--ledger', ledgerCopy]);
    expect(against.code).toBe(1);
    expect(against.stdout).toMatch(
      /^ledger .*: the ledger's event at seq \d+ has hash [0-9a-f]{8}, the bundle's head [0-9a-f]{8}: the bundle comes from another chain, or one of the two was rewritten$/m,
    );
  });

  it('names bundle.json edited', () => {
    const stamp = tampered('bundle-json', (dir) => {
      const path = join(dir, 'bundle.json');
      writeFileSync(path, readFileSync(path, 'utf8').replace(/"exported_at": "[^"]+"/, '"exported_at": "2020-01-01T00:00:00.000Z"'));
    });
    expectAltered(stamp, /^ALTERED bundle\.json: was edited after export: its checksum does not match its contents$/m);
    const head = tampered('bundle-head', (dir) => reseal(dir, (b) => (b.head = { ...b.head, seq: b.head.seq + 1 })));
    expectAltered(head, /^ALTERED bundle\.json \(seq \d+\): names head seq \d+ [0-9a-f]{8} but the chain ends at seq \d+ [0-9a-f]{8}$/m);
    const json = JSON.parse(offline(['evidence', 'verify', head, '--json']).stdout) as { ok: boolean; problems: { file: string }[] };
    expect(json.ok).toBe(false);
    expect(json.problems.map((p) => p.file)).toContain('bundle.json');
  });

  it('tells what is no bundle (exit 2) from a damaged one (exit 1), in one line', () => {
    const text = join(work, 'notes.txt');
    writeFileSync(text, 'not a bundle\n');
    const cut = join(work, 'cut.tar.gz');
    const whole = readFileSync(bundle);
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    const plain = join(work, 'plain.tar.gz');
    tar(['-czf', plain, '-C', work, 'notes.txt']);
    const missing = tampered('file-missing', (dir) => rmSync(join(dir, 'jobs', 'ok', 'manifest.json')));
    const cases: [string, number, RegExp][] = [
      [join(work, 'nowhere.tar.gz'), 2, /^spoolctl: Cannot read .*nowhere\.tar\.gz: no such file\.\n$/],
      [text, 2, /^spoolctl: .*notes\.txt is not an evidence bundle \(not gzip data\)\.\n$/],
      [plain, 2, /^spoolctl: .*plain\.tar\.gz is not an evidence bundle \(no bundle\.json of format spoolctl-evidence\)\.\n$/],
      [cut, 1, /^spoolctl: .*cut\.tar\.gz is damaged: its gzip data does not decompress \(.*\)\.\n$/],
    ];
    for (const [path, code, line] of cases) {
      const r = offline(['evidence', 'verify', path]);
      expect([r.code, r.stdout], path).toEqual([code, '']);
      expect(r.stderr).toMatch(line);
    }
    expectAltered(missing, /^ALTERED jobs\/ok\/manifest\.json: is listed in bundle\.json but missing from the bundle$/m);
  });
});

function readJsonOf(path: string): BundleJson {
  const dir = mkdtempSync(join(work, 'read-'));
  tar(['-xzf', path, '-C', dir]);
  return readJson(dir);
}
