// The sentinel's steps one at a time, as pure-ish functions of a context: a real temp spool,
// a real ledger, a SentinelContext as the sentinel builds it; one step is called and the spool
// files and ledger rows it produced are checked. No sentinel process, no fs mocks.
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../src/config/load.js';
import { openDb, type Db } from '../../src/ledger/open.js';
import { makeLogger } from '../../src/log.js';
import { makeContext, type SentinelContext } from '../../src/sentinel/context.js';
import type { SlotState } from '../../src/slot-state.js';
import { applyControl } from '../../src/sentinel/control.js';
import { dispatch } from '../../src/sentinel/dispatch.js';
import { intake } from '../../src/sentinel/intake.js';
import { reclaimLost, scanClaims } from '../../src/sentinel/reclaim.js';
import { reconcile } from '../../src/sentinel/reconcile.js';
import { applyResults } from '../../src/sentinel/results.js';
import { readAck, writeRequest, type ControlRequest } from '../../src/spool/control.js';
import { initSpool } from '../../src/spool/init.js';
import { claimFileName, defaultLedgerPath, drainMarkerPath, type ClaimName, type Layout } from '../../src/spool/layout.js';
import type { JobResult } from '../../src/spool/results.js';
import { WorkerJournalWriter } from '../../src/spool/worker-journal.js';
import type { Heartbeat } from '../../src/spool/slots.js';
import { jobResult, writeResultFile } from '../helpers/results.js';

let dir: string;
let l: Layout;
let db: Db;
let ctx: SentinelContext;
const logged: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spoolctl-steps-'));
  l = initSpool(dir);
  writeFileSync(join(l.plugins, 'noop.json'), JSON.stringify({ name: 'noop', command: ['true'] }));
  db = openDb(defaultLedgerPath(l), { busyTimeoutMs: 1000 });
  logged.length = 0;
  ctx = makeContext(
    l,
    defaultConfig().config,
    'this-host',
    makeLogger('sentinel', false, (s) => void logged.push(s)),
    db,
  );
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Drops a manifest the way a producer does: written in tmp/, renamed into pending/. */
function drop(id: string, extra: Record<string, unknown> = {}): void {
  const tmp = join(l.tmp, `${id}.producer`);
  writeFileSync(tmp, JSON.stringify({ id, plugin: 'noop', ...extra }));
  renameSync(tmp, join(l.pending, `${id}.json`));
}

/** What the end of a sentinel pass does: directories synced, the ledger committed. */
function endPass(): void {
  ctx.sync.flush();
  ctx.ledger.flush();
}

const heartbeat = (slot: number, extra: Partial<Heartbeat> = {}): Heartbeat => ({
  slot,
  host: 'this-host',
  pid: 4242,
  token: `token${slot}abcdef`,
  state: 'idle',
  started_at: '2026-12-01T00:00:00.000Z',
  beat_at: '2026-12-01T00:00:01.000Z',
  jobs_done: 0,
  jobs_failed: 0,
  ...extra,
});
const live = (slot: number, extra: Partial<SlotState> = {}): SlotState =>
  ({ slot, condition: 'idle', heartbeat: heartbeat(slot), locked: true, draining: false, ...extra }) as SlotState;

const files = (sub: string): string[] => (existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)).sort() : []);
const events = (job?: string) =>
  (job === undefined
    ? db.prepare('SELECT type, job, slot, attempt, actor, detail FROM events ORDER BY seq').all()
    : db.prepare('SELECT type, job, slot, attempt, actor, detail FROM events WHERE job = ? ORDER BY seq').all(job)
  ).map((r) => {
    const e = r as { type: string; job: string | null; slot: number | null; attempt: number | null; actor: string | null; detail: string };
    return { ...e, detail: JSON.parse(e.detail) as Record<string, unknown> };
  });
const types = (job?: string) => events(job).map((e) => e.type);
const row = (id: string) => db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Record<string, unknown> | undefined;

/** Admits `ids` and dispatches the first to slot 1; returns its claim. */
function claimedOnSlot1(...ids: string[]): ClaimName {
  for (const id of ids) drop(id, { max_attempts: 2 });
  intake(ctx);
  ctx.slots = [live(1)];
  expect(dispatch(ctx)).toBe(1);
  endPass();
  return ctx.claims.get(1)![0]!;
}

/** The worker's result for claim `c`, carrying its token. */
const result = (c: ClaimName, extra: Partial<JobResult> = {}): JobResult => jobResult({ token: c.token, ...extra });

describe('intake', () => {
  it('admits valid manifests into the pending queue and the ledger, and quarantines a bad one', () => {
    drop('ok-1');
    writeFileSync(join(l.pending, 'bad.json'), '{ not json');
    expect(intake(ctx)).toBe(false);
    endPass();
    expect([...ctx.pending.keys()]).toEqual(['ok-1.json']);
    expect(files('pending')).toEqual(['ok-1.json']);
    expect(files('rejected').filter((n) => n.startsWith('bad'))).not.toEqual([]);
    expect(types('ok-1')).toEqual(['submitted']);
    expect(row('ok-1')).toMatchObject({ state: 'pending', plugin: 'noop', attempts: 0, file: 'pending/ok-1.json' });
  });
});

describe('dispatch', () => {
  it('claims the highest-priority job for an idle live slot, with the slot holder token in the claim name', () => {
    drop('low', { priority: 0 });
    drop('high', { priority: 5 });
    intake(ctx);
    ctx.slots = [live(1)];
    expect(dispatch(ctx)).toBe(1);
    endPass();
    const [c] = ctx.claims.get(1)!;
    expect(c).toMatchObject({ slot: 1, id: 'high', attempt: 1, token: 'token1abcdef' });
    expect(files('claimed/slot-1')).toEqual([claimFileName(c!)]);
    expect(files('pending')).toEqual(['low.json']);
    expect(events('high').at(-1)).toMatchObject({
      type: 'claimed',
      slot: 1,
      attempt: 1,
      actor: 'sentinel',
      detail: { host: 'this-host', pid: 4242, claim: claimFileName(c!) },
    });
    expect(row('high')).toMatchObject({ state: 'claimed', slot: 1, attempts: 1, file: `claimed/slot-1/${claimFileName(c!)}` });
    expect(row('low')).toMatchObject({ state: 'pending' });
  });

  it('gives one job per slot and nothing to a slot that is busy, draining, dead or stale', () => {
    for (const id of ['j1', 'j2', 'j3', 'j4']) drop(id);
    intake(ctx);
    const busy: ClaimName = { slot: 2, id: 'other', attempt: 1, token: 'token2abcdef', nonce: 'nonce222' };
    ctx.claims.set(2, [busy]);
    ctx.slots = [
      live(1),
      live(2),
      live(3, { condition: 'draining', draining: true }),
      live(4, { condition: 'draining', draining: true, heartbeat: heartbeat(4, { state: 'draining' }) }),
      { slot: 5, condition: 'dead', reason: 'gone', locked: true, heartbeat: heartbeat(5), draining: false },
      { slot: 6, condition: 'stale', reason: 'old beat', locked: true, heartbeat: heartbeat(6), draining: false },
      { slot: 7, condition: 'free', locked: false, draining: false },
    ];
    expect(dispatch(ctx)).toBe(1);
    endPass();
    expect(files('claimed/slot-1')).toHaveLength(1);
    for (const slot of [2, 3, 4, 5, 6, 7]) expect(files(`claimed/slot-${slot}`), `slot ${slot}`).toEqual([]);
    expect(files('pending')).toHaveLength(3);
    expect(types().filter((t) => t === 'claimed')).toHaveLength(1);
  });
});

describe('reclaim', () => {
  it('finds the claims on disk, and takes back the claim of a dead worker on another host, counting the attempt', () => {
    const c = claimedOnSlot1('lost');
    // As after a restart: the claims are known only from claimed/.
    ctx.claims.clear();
    ctx.slots = [
      {
        slot: 1,
        condition: 'dead',
        reason: 'its worker is not running',
        locked: true,
        heartbeat: heartbeat(1, { host: 'far-host' }),
        draining: false,
      },
    ];
    scanClaims(ctx);
    expect(ctx.claims.get(1)).toEqual([c]);
    expect(reclaimLost(ctx)).toBe(1);
    endPass();
    expect(files('claimed/slot-1')).toEqual([]);
    expect(files('pending')).toEqual(['lost.1.json']);
    expect(events('lost').at(-1)).toMatchObject({
      type: 'reclaimed',
      slot: 1,
      attempt: 1,
      detail: { reason: 'its worker is not running', claim: claimFileName(c), earlier_attempt: expect.stringContaining('far-host') },
    });
    expect(row('lost')).toMatchObject({ state: 'pending', attempts: 1, slot: null, file: 'pending/lost.1.json' });
  });

  it('fails a job lost on its last attempt as poison', () => {
    claimedOnSlot1('poison');
    // The second attempt of two.
    ctx.slots = [
      { slot: 1, condition: 'dead', reason: 'gone', locked: true, heartbeat: heartbeat(1, { host: 'far-host' }), draining: false },
    ];
    reclaimLost(ctx);
    endPass();
    intake(ctx);
    ctx.slots = [live(1)];
    dispatch(ctx);
    endPass();
    expect(ctx.claims.get(1)![0]).toMatchObject({ id: 'poison', attempt: 2 });
    ctx.slots = [
      { slot: 1, condition: 'stale', reason: 'no beat', locked: true, heartbeat: heartbeat(1, { host: 'far-host' }), draining: false },
    ];
    expect(reclaimLost(ctx)).toBe(1);
    endPass();
    expect(files('pending')).toEqual([]);
    expect(files('failed').filter((n) => !n.endsWith('.error.json'))).toEqual(['poison.2.json']);
    expect(types('poison').slice(-2)).toEqual(['reclaimed', 'failed']);
    expect(events('poison').at(-1)!.detail).toMatchObject({ poison: true });
    expect(row('poison')).toMatchObject({ state: 'failed', attempts: 2 });
  });

  it('hands back uncounted a claim left in a slot whose worker left cleanly, and keeps the claims of live slots', () => {
    const c = claimedOnSlot1('left');
    drop('kept');
    intake(ctx);
    ctx.slots = [live(1), live(2)];
    dispatch(ctx);
    endPass();
    const kept = ctx.claims.get(2)![0]!;
    expect(kept.id).toBe('kept');
    ctx.slots = [{ slot: 1, condition: 'free', locked: false, draining: false }, live(2)];
    expect(reclaimLost(ctx)).toBe(1);
    endPass();
    expect(ctx.claims.get(2)).toEqual([kept]);
    expect(files('claimed/slot-2')).toEqual([claimFileName(kept)]);
    expect(files('pending')).toEqual(['left.json']);
    expect(events('left').at(-1)).toMatchObject({ type: 'handed_back', detail: { claim: claimFileName(c) } });
    expect(row('left')).toMatchObject({ state: 'pending', attempts: 0 });
  });
});

describe('results', () => {
  it('applies a done result: the claim moves to done/, the ledger records it, the result file is removed', () => {
    const c = claimedOnSlot1('fine');
    writeResultFile(l, c, result(c));
    expect(applyResults(ctx)).toBe(1);
    endPass();
    expect(files('claimed/slot-1')).toEqual([]);
    expect(files('results')).toEqual([]);
    const days = files('done');
    expect(days).toHaveLength(1);
    expect(files(`done/${days[0]}`)).toEqual(['fine.1.json']);
    expect(events('fine').at(-1)).toMatchObject({ type: 'done', slot: 1, attempt: 1, actor: 'h1:42', detail: { exit_code: 0 } });
    expect(row('fine')).toMatchObject({ state: 'done', attempts: 1, slot: null, progress: 1, file: `done/${days[0]}/fine.1.json` });
  });

  it("makes the day's folder in done/ again when a purge removed it, and fences a result whose claim was cancelled", () => {
    const first = claimedOnSlot1('first', 'second', 'third');
    writeResultFile(l, first, result(first));
    applyResults(ctx);
    endPass();
    const [day] = files('done');
    rmSync(join(l.done, day!), { recursive: true });
    ctx.slots = [live(1)];
    dispatch(ctx);
    const second = ctx.claims.get(1)![0]!;
    writeResultFile(l, second, result(second));
    expect(applyResults(ctx)).toBe(1);
    endPass();
    expect(files(`done/${day}`)).toEqual(['second.1.json']);
    dispatch(ctx);
    const third = ctx.claims.get(1)![0]!;
    writeRequest(l, { id: 'cancel-third', action: 'cancel', jobs: ['third'], actor: 'op@h (uid 1)', pid: 1 } as ControlRequest);
    applyControl(ctx);
    writeResultFile(l, third, result(third, { outcome: 'handed_back' }));
    expect(applyResults(ctx)).toBe(0);
    endPass();
    expect(types('third').at(-1)).toBe('fenced');
  });

  it('returns a failed job with attempts left to pending/, and fails it on its last', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const c = claimedOnSlot1('flaky');
    writeResultFile(l, c, result(c, { outcome: 'failed', exit_code: 3, error: 'exited with code 3' }));
    applyResults(ctx);
    endPass();
    expect(files('pending')).toEqual(['flaky.1.json']);
    expect(events('flaky').at(-1)).toMatchObject({ type: 'retried', detail: { exit_code: 3, attempts_left: 1 } });
    expect(row('flaky')).toMatchObject({ state: 'pending', attempts: 1, last_error: 'exited with code 3' });
    const retryAt = String(events('flaky').at(-1)!.detail.retry_at);
    expect(row('flaky')).toMatchObject({ retry_at: retryAt });

    // Not before its retry time (jobs.retry_backoff_ms, 10 s by default, ±20%).
    intake(ctx);
    expect(dispatch(ctx)).toBe(0);
    vi.setSystemTime(Date.parse(retryAt));
    dispatch(ctx);
    vi.useRealTimers();
    endPass();
    const second = ctx.claims.get(1)![0]!;
    expect(second.attempt).toBe(2);
    writeResultFile(l, second, result(second, { outcome: 'failed', exit_code: 3, error: 'exited with code 3' }));
    applyResults(ctx);
    endPass();
    expect(files('failed').filter((n) => !n.endsWith('.error.json'))).toEqual(['flaky.2.json']);
    expect(row('flaky')).toMatchObject({ state: 'failed', attempts: 2, last_error: expect.stringContaining('attempt 2 of 2') });
  });

  it('fences a result whose claim no longer exists, and changes nothing else', () => {
    const c = claimedOnSlot1('moved');
    const gone: ClaimName = { ...c, nonce: 'othernonce' };
    writeResultFile(l, gone, result(gone));
    expect(applyResults(ctx)).toBe(0);
    endPass();
    expect(files('claimed/slot-1')).toEqual([claimFileName(c)]);
    expect(files('results')).toEqual([]);
    expect(events('moved').at(-1)).toMatchObject({
      type: 'fenced',
      detail: { claim: claimFileName(gone), outcome: 'done', reason: 'the claim this result names no longer exists' },
    });
    expect(row('moved')).toMatchObject({ state: 'claimed' });
  });

  it('removes a file in results/ whose name is no result name', () => {
    writeFileSync(join(l.results, 'stray.txt'), 'x');
    expect(applyResults(ctx)).toBe(0);
    expect(files('results')).toEqual([]);
    expect(logged.join('')).toContain('not a result name');
  });
});

describe("workers' journals", () => {
  const journaled = (slot: number, extra: Partial<SlotState> = {}) =>
    live(slot, { heartbeat: heartbeat(slot, { journal: true }), ...extra });
  const writerFor = (slot: number) => new WorkerJournalWriter(l, slot, heartbeat(slot).token);
  /** Admits `id`, claims it for slot 1's journaled worker, and has the worker record its start. */
  function startedOnSlot1(id: string) {
    drop(id);
    intake(ctx);
    ctx.slots = [journaled(1)];
    dispatch(ctx);
    endPass();
    const c = ctx.claims.get(1)![0]!;
    const w = writerFor(1);
    w.started(c, new Date().toISOString());
    return { c, w };
  }
  // noop's attempts have been short: a claim may be queued behind one.
  beforeEach(() => ctx.pace.ran('noop', '2026-12-03T10:00:00.000Z', '2026-12-03T10:00:00.010Z'));

  it('queues a second claim only for a worker that keeps a journal, after every free slot has one, in dispatch order', () => {
    for (const [id, priority] of [
      ['a', 3],
      ['b', 2],
      ['c', 1],
      ['d', 0],
    ] as const)
      drop(id, { priority });
    intake(ctx);
    ctx.slots = [journaled(1), live(2)];
    expect(dispatch(ctx)).toBe(3);
    endPass();
    const one = ctx.claims.get(1)!;
    expect(one.map((c) => c.id)).toEqual(['a', 'c']);
    expect(ctx.claims.get(2)!.map((c) => c.id)).toEqual(['b']);
    expect(one[0]!.nonce < one[1]!.nonce).toBe(true);
    expect(files('claimed/slot-1')).toHaveLength(2);
    expect(dispatch(ctx)).toBe(0);
    expect(row('d')).toMatchObject({ state: 'pending' });
  });

  it('queues only behind jobs whose plugin ran short lately, nothing with claims_per_slot = 1, never a job whose plugin has a limit', () => {
    writeFileSync(join(l.plugins, 'capped.json'), JSON.stringify({ name: 'capped', command: ['true'], max_concurrent: 5 }));
    drop('capped-1', { plugin: 'capped' });
    drop('capped-2', { plugin: 'capped' });
    intake(ctx);
    ctx.slots = [journaled(1)];
    expect(dispatch(ctx)).toBe(1);
    drop('free-1');
    intake(ctx);
    const queueing = ctx.cfg;
    ctx.cfg = { ...queueing, sentinel: { ...queueing.sentinel, claims_per_slot: 1 } };
    expect(dispatch(ctx)).toBe(0);
    ctx.cfg = queueing;
    // Nothing known of capped's attempts yet, then one that took longer than queue_behind_ms (1 s).
    expect(dispatch(ctx)).toBe(0);
    ctx.pace.ran('capped', '2026-12-03T10:00:00.000Z', '2026-12-03T10:00:05.000Z');
    expect(dispatch(ctx)).toBe(0);
    for (let i = 0; i < 8; i++) ctx.pace.ran('capped', '2026-12-03T10:00:00.000Z', '2026-12-03T10:00:00.200Z');
    expect(dispatch(ctx)).toBe(1);
    endPass();
    expect(ctx.claims.get(1)!.map((c) => c.id)).toEqual(['capped-1', 'free-1']);
  });

  it('applies an end line once, also when a restarted sentinel reads the journal again', () => {
    const { c, w } = startedOnSlot1('j1');
    expect(applyResults(ctx)).toBe(0);
    expect(ctx.workerJournals.started(c)).toBe(true);
    w.ended(c, result(c));
    expect(applyResults(ctx)).toBe(1);
    endPass();
    expect(types('j1')).toEqual(['submitted', 'claimed', 'done']);
    w.close();

    const again = makeContext(
      l,
      defaultConfig().config,
      'this-host',
      makeLogger('sentinel', false, () => undefined),
      db,
    );
    again.slots = [journaled(1)];
    scanClaims(again);
    expect(applyResults(again)).toBe(0);
    again.ledger.flush();
    expect(types('j1')).toEqual(['submitted', 'claimed', 'done']);
  });

  it("a lost worker's started claim is reclaimed with its attempt counted, its queued claim handed back uncounted", () => {
    drop('running', { priority: 1 });
    drop('queued');
    intake(ctx);
    ctx.slots = [journaled(1)];
    expect(dispatch(ctx)).toBe(2);
    endPass();
    const [first] = ctx.claims.get(1)!;
    writerFor(1).started(first!, new Date().toISOString());
    ctx.slots = [journaled(1, { condition: 'dead', reason: 'pid 4242 is gone' })];
    expect(reclaimLost(ctx)).toBe(2);
    endPass();
    expect(files('pending').sort()).toEqual(['queued.json', 'running.1.json']);
    expect(events('running').at(-1)).toMatchObject({ type: 'reclaimed', attempt: 1 });
    expect(row('running')).toMatchObject({ state: 'pending', attempts: 1 });
    expect(events('queued').at(-1)).toMatchObject({ type: 'handed_back', detail: { reason: 'never started: pid 4242 is gone' } });
    expect(row('queued')).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('a worker replaced in its slot before it wrote a line has its claims handed back uncounted', () => {
    drop('first', { priority: 1 });
    drop('second');
    intake(ctx);
    ctx.slots = [journaled(1)];
    expect(dispatch(ctx)).toBe(2);
    endPass();
    // The worker made its journal as it started, and was killed before its first line.
    writerFor(1).open();
    ctx.slots = [live(1, { heartbeat: heartbeat(1, { token: 'newtoken1abc', journal: true }) })];
    expect(reclaimLost(ctx)).toBe(2);
    endPass();
    for (const id of ['first', 'second']) {
      expect(events(id).at(-1)).toMatchObject({
        type: 'handed_back',
        detail: { reason: expect.stringMatching(/^never started: slot 1 now belongs/) },
      });
      expect(row(id)).toMatchObject({ state: 'pending', attempts: 0 });
    }
  });

  it('a restarted sentinel drops a retried result the last one applied without recording it, and fences a late one of a reclaim', () => {
    drop('flaky', { max_attempts: 3 });
    drop('lost', { max_attempts: 3 });
    intake(ctx);
    ctx.slots = [journaled(1), journaled(2)];
    dispatch(ctx);
    endPass();
    const [flaky] = ctx.claims.get(1)!;
    const [lost] = ctx.claims.get(2)!;
    const w = writerFor(1);
    w.started(flaky!, 't');
    w.ended(flaky!, result(flaky!, { outcome: 'failed', exit_code: 1, error: 'exited with code 1' }));
    // Applied and moved, then the sentinel dies before its ledger write.
    applyResults(ctx);
    ctx.ledger = new (ctx.ledger.constructor as new (...a: unknown[]) => typeof ctx.ledger)(db, undefined);
    // The other slot's claim was reclaimed and recorded; its worker's result comes late.
    ctx.slots = [journaled(1), journaled(2, { condition: 'dead', reason: 'pid gone' })];
    const w2 = writerFor(2);
    w2.started(lost!, 't');
    reclaimLost(ctx);
    endPass();
    w2.ended(lost!, result(lost!, { outcome: 'failed', exit_code: 1 }));

    const again = makeContext(
      l,
      defaultConfig().config,
      'this-host',
      makeLogger('sentinel', false, () => undefined),
      db,
    );
    reconcile(again);
    again.slots = [journaled(1), journaled(2)];
    scanClaims(again);
    applyResults(again);
    again.ledger.flush();
    // The retry's move is the spool's word; intake records it, and the result is not fenced.
    expect(types('flaky')).toEqual(['submitted', 'claimed']);
    expect(files('pending')).toEqual(['flaky.1.json', 'lost.1.json']);
    expect(types('lost')).toEqual(['submitted', 'claimed', 'reclaimed', 'fenced']);
  });

  it('removes a journal once its worker no longer holds the slot and its claims are settled', () => {
    const { c, w } = startedOnSlot1('k1');
    applyResults(ctx);
    ctx.workerJournals.prune(ctx);
    expect(files('results')).toHaveLength(1);
    w.ended(c, result(c));
    applyResults(ctx);
    endPass();
    ctx.workerJournals.prune(ctx);
    expect(files('results')).toHaveLength(1);
    ctx.slots = [{ slot: 1, condition: 'free', locked: false, draining: false }];
    ctx.workerJournals.prune(ctx);
    expect(files('results')).toEqual([]);
  });
});

describe('control', () => {
  const request = (req: Partial<ControlRequest> & Pick<ControlRequest, 'id' | 'action'>): void =>
    writeRequest(l, { actor: 'ann@desk', pid: 7, at: '2026-12-01T00:00:00.000Z', ...req } as ControlRequest);

  it('holds a pending job: moved to held/, recorded with who asked, acknowledged, the request removed', () => {
    drop('wait');
    intake(ctx);
    request({ id: 'req-hold', action: 'hold', jobs: ['wait'] });
    expect(applyControl(ctx)).toBe(1);
    endPass();
    expect(files('held')).toEqual(['wait.json']);
    expect(files('pending')).toEqual([]);
    expect(events('wait').at(-1)).toMatchObject({ type: 'held', actor: expect.stringContaining('ann@desk') });
    expect(row('wait')).toMatchObject({ state: 'held' });
    expect(readAck(l, 'req-hold')).toMatchObject({ action: 'hold', items: [{ target: 'wait', ok: true, from: 'pending', to: 'held' }] });
    expect(files('control').filter((n) => n.endsWith('.json'))).toEqual([]);
  });

  it('refuses an action the job state does not allow, and says why', () => {
    claimedOnSlot1('busy');
    request({ id: 'req-requeue', action: 'requeue', jobs: ['busy'] });
    applyControl(ctx);
    endPass();
    expect(readAck(l, 'req-requeue')!.items).toEqual([
      expect.objectContaining({ target: 'busy', ok: false, error: expect.stringContaining('claimed by slot 1 (running, or queued') }),
    ]);
    expect(files('claimed/slot-1')).toHaveLength(1);
    expect(types('busy')).not.toContain('requeued');
  });

  it('drains a slot: the drain marker is set and the request recorded', () => {
    ctx.slots = [live(1), live(2), live(3)];
    request({ id: 'req-drain', action: 'drain', slot: 3 });
    request({ id: 'req-nine', action: 'drain', slot: 9 });
    expect(applyControl(ctx)).toBe(2);
    endPass();
    expect(existsSync(drainMarkerPath(l, 3))).toBe(true);
    expect(events()).toEqual([expect.objectContaining({ type: 'drain_requested', slot: 3, actor: expect.stringContaining('ann@desk') })]);
    expect(readAck(l, 'req-drain')!.items).toEqual([{ target: 'slot-3', ok: true, from: 'active', to: 'draining' }]);
    expect(readAck(l, 'req-nine')!.items).toEqual([{ target: 'slot-9', ok: false, error: 'there is no slot 9 (slots are 1 to 3)' }]);
  });

  it('quarantines a request it cannot read', () => {
    writeFileSync(join(l.control, 'garbled.json'), '{ nope');
    applyControl(ctx);
    endPass();
    expect(files('control').filter((n) => n.endsWith('.json'))).toEqual([]);
    expect(files('rejected').some((n) => n.startsWith('garbled'))).toBe(true);
  });
});
