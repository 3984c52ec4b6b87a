// Acceptance: the journal on the share keeps the audit history when the sentinel's host (and
// its ledger) is gone: `ledger rebuild` replays it link by link, names the first bad line of an
// altered, cut or shortened journal, and says where a pruned one starts; a share that refuses
// the journal's writes holds the ledger back and loses nothing.
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetail } from '../../src/api/jobs.js';
import type { LedgerVerifyReport } from '../../src/api/ledger.js';
import type { RebuildReport } from '../../src/sentinel/rebuild.js';
import { exitedWithin, isDone, makeSpool, manifest, spoolAt, until, type Proc, type TestSpool } from '../helpers/spool.js';

const FAST = '[worker]\nheartbeat_ms = 200\n[sentinel]\nscan_interval_ms = 200\n';

const journalDir = (t: TestSpool) => join(t.dir, 'journal');
const dayFiles = (t: TestSpool) =>
  readdirSync(journalDir(t))
    .filter((n) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(n))
    .sort();
const journalLines = (t: TestSpool) =>
  dayFiles(t).flatMap((f) =>
    readFileSync(join(journalDir(t), f), 'utf8')
      .split('\n')
      .filter(Boolean),
  );
function json<T>(t: TestSpool, args: string[]): { code: number; out: T; stderr: string } {
  const r = t.run([...args, '--json']);
  return { code: r.code, out: JSON.parse(r.stdout || 'null') as T, stderr: r.stderr };
}
const verify = (t: TestSpool) => json<LedgerVerifyReport>(t, ['ledger', 'verify']);
const rebuild = (t: TestSpool) => json<RebuildReport>(t, ['ledger', 'rebuild']);
/** `jobs show --json` but for the last progress message, which is no event and is not journaled. */
const show = (t: TestSpool, id: string) => ({ ...json<JobDetail>(t, ['jobs', 'show', id]).out, message: undefined });
const stateOf = (t: TestSpool, id: string) => t.job(id)?.state;

async function stop(p: Proc): Promise<void> {
  p.child.kill('SIGTERM');
  await p.exited;
}

function dropLedger(t: TestSpool): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(t.dir, 'ledger', `ledger.db${suffix}`), { force: true });
}

/** A spool whose jobs ended done, failed, cancelled and done after a reclaim; every process stopped. */
async function spoolWithHistory(): Promise<TestSpool> {
  const t = makeSpool(FAST);
  const sentinel = t.sentinel();
  t.drop('victim.json', manifest('victim', 'noop'));
  await until('victim pending', () => stateOf(t, 'victim') === 'pending');
  expect(t.run(['jobs', 'cancel', 'victim']).code).toBe(0);
  await until('victim cancelled', () => stateOf(t, 'victim') === 'cancelled');
  const a = t.worker(['--slot', '1']);
  t.drop('ok.json', manifest('ok', 'noop'));
  t.drop('bad.json', manifest('bad', 'fail', { params: { code: 3 }, max_attempts: 1 }));
  await until('ok done, bad failed', () => stateOf(t, 'ok') === 'done' && stateOf(t, 'bad') === 'failed');
  t.drop('long.json', manifest('long', 'work', { params: { ms: 2000 } }));
  await until('long running on slot 1', () => {
    const slot = JSON.parse(t.run(['status', '--json']).stdout).slots[0];
    return slot.state === 'busy' && slot.job === 'long';
  });
  a.child.kill('SIGKILL');
  await until('long reclaimed', () => t.events('long').some((e) => e.type === 'reclaimed'));
  const b = t.worker(['--slot', '2']);
  await until('long done', () => isDone(t, 'long'));
  await stop(b);
  await stop(sentinel);
  return t;
}

describe('the journal on the share', () => {
  let history: TestSpool;
  const copies: string[] = [];
  /** Another spool holding a copy of the history spool's files. */
  const copyOf = (t: TestSpool): TestSpool => {
    const dir = mkdtempSync(join(tmpdir(), 'spoolctl-journal-'));
    copies.push(dir);
    cpSync(t.dir, dir, { recursive: true });
    return spoolAt(dir);
  };

  // Kept in a directory of this file's own: the helper removes its spools after each test.
  beforeAll(async () => {
    history = copyOf(await spoolWithHistory());
  }, 60_000);
  afterAll(() => {
    for (const d of copies) rmSync(d, { recursive: true, force: true });
  });

  it('holds every ledger event with the same seq and hash', () => {
    const ledger = history.ledger();
    try {
      const rows = ledger.prepare('SELECT * FROM events ORDER BY seq').all() as Record<string, unknown>[];
      const lines = journalLines(history).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map(({ row: _row, ...event }) => event)).toEqual(rows);
    } finally {
      ledger.close();
    }
  });

  it('restores every event after the ledger is lost, and a new sentinel chains on', async () => {
    const t = copyOf(history);
    const ids = ['victim', 'ok', 'bad', 'long'];
    const before = ids.map((id) => show(t, id));
    const total = t.events().length;
    dropLedger(t);

    const r = rebuild(t);
    expect(r.code, r.stderr).toBe(0);
    expect(r.out.journal).toMatchObject({ replayed: total, first_seq: 1, last_seq: total, from_genesis: true, broken: null });
    expect(r.out.lost).toMatch(/^nothing/);
    expect(ids.map((id) => show(t, id))).toEqual(before);
    const human = t.run(['ledger', 'rebuild']);
    expect(human.stdout).toContain(`events replayed from the journal`);

    const v = verify(t);
    expect(v.code, JSON.stringify(v.out)).toBe(0);
    expect(v.out.journal).toMatchObject({ ok: true, problem: null });

    const s = t.sentinel();
    await until('the new sentinel has started', () => t.events().at(-1)?.type === 'sentinel_started');
    await stop(s);
    const after = verify(t);
    expect(after.code, JSON.stringify(after.out)).toBe(0);
    expect(after.out.journal!.last_seq).toBe(after.out.events);
    expect(
      t
        .events()
        .slice(0, total)
        .map((e) => e.type),
    ).toEqual(history.events().map((e) => e.type));
  });

  // Both leave seq 5 as the first bad link: the altered fifth line, or the fifth event on line 4.
  const seq = 5;
  const tamperings: [string, (lines: string[]) => string[], { line: number; problem: RegExp }][] = [
    [
      'one altered byte',
      (lines) => lines.map((l, i) => (i === 4 ? l.replace('"at":"2', '"at":"3') : l)),
      { line: 5, problem: /does not match its hash/ },
    ],
    ['a removed line', (lines) => lines.filter((_, i) => i !== 3), { line: 4, problem: /seq 5 where seq 4 was due/ }],
  ];
  for (const [what, alter, expected] of tamperings) {
    it(`names the first bad link of a journal with ${what}`, () => {
      const t = copyOf(history);
      const [first] = dayFiles(t);
      const path = join(journalDir(t), first!);
      const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
      writeFileSync(path, alter(lines).join('\n') + '\n');

      const v = verify(t);
      expect(v.code).toBe(1);
      expect(v.out.journal!.problem).toMatchObject({ file: first, line: expected.line, seq });
      expect(v.out.journal!.problem!.problem).toMatch(expected.problem);
      expect(t.run(['ledger', 'verify']).stdout).toContain(`journal chain broken at ${first} line ${expected.line} (seq ${seq})`);

      const r = rebuild(t);
      expect(r.out.journal!.broken).toMatchObject({ file: first, line: expected.line, seq });
      expect(r.out.journal!.replayed).toBe(expected.line - 1);
      expect(r.out.lost).toContain(`events from seq ${seq} on could not be replayed; job rows for them come from the spool`);
      // The bad part is set aside; the rebuilt ledger and the journal agree again.
      expect(readdirSync(journalDir(t)).some((n) => n.startsWith(`${first}.set-aside-`))).toBe(true);
      const again = verify(t);
      expect(again.code, JSON.stringify(again.out)).toBe(0);
    });

    it(`sets a journal with ${what} aside from its first bad link at start, and writes it again from the ledger`, async () => {
      const t = copyOf(history);
      const [first] = dayFiles(t);
      const path = join(journalDir(t), first!);
      writeFileSync(path, alter(readFileSync(path, 'utf8').split('\n').filter(Boolean)).join('\n') + '\n');
      const s = t.sentinel();
      await until('the sentinel has started', () => t.events().at(-1)?.type === 'sentinel_started');
      await stop(s);
      expect(s.output()).toContain(`journal chain broken at ${first} line ${expected.line} (seq ${seq})`);
      const v = verify(t);
      expect(v.code, JSON.stringify(v.out)).toBe(0);
      expect(v.out.journal).toMatchObject({ first_seq: 1, last_seq: v.out.events });
    });
  }

  it('names the cut line of a journal whose tail was cut', () => {
    const t = copyOf(history);
    const last = dayFiles(t).at(-1)!;
    const lines = journalLines(t);
    truncateSync(join(journalDir(t), last), readFileSync(join(journalDir(t), last)).length - 20);
    const seq = lines.length;
    const v = verify(t);
    expect(v.code).toBe(1);
    expect(v.out.journal!.problem).toMatchObject({ file: last, line: seq, seq });
    expect(v.out.journal!.problem!.problem).toMatch(/cut short/);
    const r = rebuild(t);
    expect(r.out.journal).toMatchObject({ replayed: seq - 1, broken: { file: last, line: seq, seq } });
    expect(r.out.lost).toContain(`journal chain broken at ${last} line ${seq} (seq ${seq})`);
  });

  it('removes day files past journal.keep_days, and a rebuild says where the kept history starts', async () => {
    const t = copyOf(history);
    // Old days: the history's first lines, moved into files dated long ago (the chain still holds).
    const lines = journalLines(t);
    const [today] = dayFiles(t);
    writeFileSync(join(journalDir(t), '2020-01-01.jsonl'), lines.slice(0, 3).join('\n') + '\n');
    writeFileSync(join(journalDir(t), '2020-01-02.jsonl'), lines.slice(3, 6).join('\n') + '\n');
    writeFileSync(join(journalDir(t), today!), lines.slice(6).join('\n') + '\n');
    expect(verify(t).code).toBe(0);
    writeFileSync(join(t.dir, 'spool.toml'), `${FAST}[journal]\nkeep_days = 2\n`);

    const s = t.sentinel();
    await until('old day files removed', () => dayFiles(t).length === 1);
    await stop(s);
    expect(dayFiles(t)).toEqual([today]);

    dropLedger(t);
    const r = rebuild(t);
    expect(r.code, r.stderr).toBe(0);
    expect(r.out.journal).toMatchObject({ first_seq: 7, from_genesis: false, broken: null });
    expect(r.out.lost).toContain("the journal's kept history starts at seq 7");
    const v = verify(t);
    expect(v.code, JSON.stringify(v.out)).toBe(0);
    expect(v.out.journal).toMatchObject({ ok: true, first_seq: 7, from_genesis: false });
  });
});

describe('a ledger deleted under a running sentinel', () => {
  it('comes back with its history from the journal', async () => {
    const t = makeSpool(FAST);
    const s = t.sentinel();
    const w = t.worker();
    t.drop('d1.json', manifest('d1', 'noop'));
    await until('d1 done', () => stateOf(t, 'd1') === 'done');
    const before = t.events('d1');
    dropLedger(t);
    await until('the new ledger recorded', () => t.events().some((e) => e.type === 'ledger_replaced'));
    expect(t.events('d1')).toEqual(before);
    expect(t.events().find((e) => e.type === 'ledger_replaced')!.detail).toMatchObject({ history_lost: false });
    await stop(w);
    await stop(s);
    expect(verify(t).code).toBe(0);
  });
});

describe('a ledger replaced under a running sentinel by one the journal disagrees with', () => {
  it('stops the sentinel with the disagreement (exit 1), leaving neither its lock nor sentinel.json', async () => {
    const other = makeSpool(FAST);
    const o = other.sentinel();
    await until('the other spool has a ledger', () => other.events().some((e) => e.type === 'sentinel_started'));
    await stop(o);
    const t = makeSpool(FAST);
    const s = t.sentinel();
    t.drop('r1.json', manifest('r1', 'noop'));
    await until('r1 recorded', () => stateOf(t, 'r1') === 'pending');
    const ledger = join(t.dir, 'ledger', 'ledger.db');
    copyFileSync(join(other.dir, 'ledger', 'ledger.db'), `${ledger}.new`);
    // As an operator would swap ledgers: without the old one's -wal, which SQLite would read into the new file.
    for (const suffix of ['-wal', '-shm']) rmSync(`${ledger}${suffix}`, { force: true });
    renameSync(`${ledger}.new`, ledger);
    await exitedWithin(s, 15_000, 'on a ledger the journal disagrees with');
    expect(s.child.exitCode, s.output()).toBe(1);
    expect(s.output()).toMatch(/spoolctl: The journal on the share disagrees with the ledger .*spoolctl ledger rebuild/);
    expect(existsSync(join(t.dir, 'sentinel.json'))).toBe(false);
    // The lock is free: the next sentinel gets as far as the same refusal, not "another sentinel holds the spool".
    const again = t.run(['sentinel']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('disagrees with the ledger');
  });
});

describe('a journal append that fails part-way and cannot be cut back', () => {
  it('is cut back before the next append: every event is in the journal once, and verify is clean', async () => {
    const t = makeSpool(FAST);
    const s = t.sentinel({ SPOOLCTL_FAILPOINTS: 'journal.mid-append=1*error(ENOSPC);journal.cut-back=1*error(EIO)' });
    await until('the first pass committed', () => t.events().some((e) => e.type === 'sentinel_started'));
    t.drop('after.json', manifest('after', 'noop'));
    await until('after recorded', () => stateOf(t, 'after') === 'pending');
    await stop(s);
    expect(s.output()).toContain('cut off before the next append');
    expect(journalLines(t).map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(t.events().map((e) => e.seq));
    const v = verify(t);
    expect(v.code, JSON.stringify(v.out)).toBe(0);
    // doctor's quick look: the newest day's chain, and it says so.
    const doctor = JSON.parse(t.run(['doctor', '--json']).stdout) as { checks: { name: string; status: string; detail: string }[] };
    expect(doctor.checks.find((c) => c.name === 'journal')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(
        /^checked the newest of 1 day file\(s\), \d{4}-\d\d-\d\d\.jsonl: seq 1 to \d+, hash chain intact;.*ledger verify/,
      ),
    });
  });
});

describe('a journal turned on for a spool with history', () => {
  it("is given the ledger's history at the next start", async () => {
    const t = makeSpool(`${FAST}[journal]\nenabled = false\n`);
    const s = t.sentinel();
    t.drop('early.json', manifest('early', 'noop'));
    await until('early recorded', () => stateOf(t, 'early') === 'pending');
    await stop(s);
    expect(dayFiles(t)).toEqual([]);
    writeFileSync(join(t.dir, 'spool.toml'), FAST);
    const again = t.sentinel();
    await until('the second start recorded', () => t.events().filter((e) => e.type === 'sentinel_started').length === 2);
    await stop(again);
    const v = verify(t);
    expect(v.code, JSON.stringify(v.out)).toBe(0);
    expect(v.out.journal).toMatchObject({ first_seq: 1, from_genesis: true, last_seq: v.out.events });
  });
});

describe('the journal when the share refuses it', () => {
  it('keeps events in memory and the ledger waiting, says so, and writes everything once the share takes it', async () => {
    const t = makeSpool(FAST);
    // About 15 s of refusals at one flush per 200 ms pass.
    const s = t.sentinel({ SPOOLCTL_FAILPOINTS: 'journal.before-append=75*error(ENOSPC)' });
    const behind = await until('status says the journal is behind', () => {
      const j = JSON.parse(t.run(['status', '--json']).stdout).sentinel.journal;
      return j && !j.ok && j.behind > 0 ? j : undefined;
    });
    expect(behind.error).toMatch(/ENOSPC/);
    t.drop('held-back.json', manifest('held-back', 'noop'));
    expect(t.run(['status']).stdout).toMatch(/journal\s+BEHIND: \d+ event\(s\) wait/);
    const doctor = JSON.parse(t.run(['doctor', '--json']).stdout) as { checks: { name: string; status: string; detail: string }[] };
    expect(doctor.checks.find((c) => c.name === 'journal')).toMatchObject({ status: 'fail' });
    expect(t.events()).toEqual([]);

    await until('everything written', () => t.events().some((e) => e.job === 'held-back'), 40_000);
    await until('status says the journal is up to date', () => {
      const j = JSON.parse(t.run(['status', '--json']).stdout).sentinel.journal;
      return j?.ok && j.behind === 0;
    });
    await stop(s);
    expect(t.events().map((e) => e.type)).toEqual(['sentinel_started', 'submitted', 'sentinel_stopped']);
    expect(journalLines(t)).toHaveLength(3);
    const v = verify(t);
    expect(v.code, JSON.stringify(v.out)).toBe(0);
  }, 60_000);

  it('takes into the ledger what reached the journal when the sentinel died before committing it', async () => {
    const t = makeSpool(FAST);
    const s = t.sentinel({ SPOOLCTL_FAILPOINTS: 'journal.after-append=1*crash' });
    await s.exited;
    expect(journalLines(t)).toHaveLength(1);
    expect(t.events()).toEqual([]);
    const again = t.sentinel();
    await until('the second start recorded', () => t.events().filter((e) => e.type === 'sentinel_started').length === 2);
    await stop(again);
    expect(verify(t).code).toBe(0);
  });
});

describe('chaos with the journal on', () => {
  it('loses nothing and completes nothing twice, and the journal agrees with the ledger', () => {
    const t = makeSpool(
      '[worker]\nstale_after_ms = 1500\nheartbeat_ms = 200\nkill_grace_ms = 200\nstop_timeout_ms = 500\n[jobs]\nmax_attempts = 25\n[sentinel]\nscan_interval_ms = 200\n',
    );
    const args = ['chaos', '--jobs', '100', '--kills', '10', '--sentinel', '--seed', '12'];
    // This seed crashes the sentinel once between a journal append and its ledger commit.
    const plan = JSON.parse(t.run([...args, '--dry-run', '--json']).stdout) as { disruptions: { failpoint?: string }[] };
    expect(plan.disruptions.map((d) => d.failpoint)).toContain('journal.after-append');
    const r = t.run([...args, '--json']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ submitted: 100, lost: 0, completed_twice: 0, verify_ok: true });
    const v = verify(t);
    expect(v.code, JSON.stringify(v.out)).toBe(0);
    expect(v.out.journal!.last_seq).toBeGreaterThanOrEqual(v.out.events);
  }, 300_000);
});
