/** spoolctl workers list [--json] | cleanup [--yes] | drain|undrain SLOT */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { SLOT_ACTIONS } from '../../api/actions.js';
import type { CleanupPlan, CleanupResult, WorkerRow } from '../../api/workers.js';
import { confirmed } from '../confirm.js';
import { ago, percent, printJson, table } from '../output.js';
import { clip, plural } from '../text.js';
import { reportControl } from './control-output.js';
import { spoolOf } from '../spool.js';

function workersTable(rows: WorkerRow[]): string {
  const lines = table(
    ['SLOT', 'STATE', 'HOST:PID', 'JOB', 'PROG', 'DONE', 'FAIL', 'UP', 'BEAT', 'TAGS'],
    rows.map((r) => [
      r.slot,
      r.state,
      r.host ? clip(`${r.host}:${r.pid}`, 16) : null,
      r.job ? clip(r.job, 12) : null,
      r.job ? percent(r.progress) : null,
      r.jobs_done,
      r.jobs_failed,
      r.uptime_s === null || r.started_at === null ? null : ago(r.started_at, Date.parse(r.started_at) + r.uptime_s * 1000),
      r.heartbeat_age_ms === null ? null : `${(r.heartbeat_age_ms / 1000).toFixed(1)}s`,
      r.tags?.length ? clip(r.tags.join(','), 24) : null,
    ]),
  ).split('\n');
  const lost = rows.filter((r) => r.reason);
  for (const r of lost) lines.push(clip(`slot ${r.slot} ${r.state}: ${r.reason}`));
  if (lost.length > 0) lines.push('`spoolctl workers cleanup` frees the slots of dead and stale workers.');
  return lines.join('\n');
}

function describePlan(p: CleanupPlan): string[] {
  const lines = [`Cleanup plan for ${p.spool}:`];
  for (const x of p.lost)
    lines.push(`  slot ${x.slot}: remove the lock and heartbeat of ${x.condition} worker ${x.host}:${x.pid}: ${x.reason}`);
  for (const a of p.abandonedLocks)
    lines.push(`  slot ${a.slot}: remove the abandoned lock (no heartbeat; not refreshed for ${Math.round(a.ageMs / 1000)}s)`);
  for (const o of p.orphans) {
    lines.push(
      `  kill orphaned local worker process ${o.pid} (${o.slot === null ? 'it holds no slot' : `its slot ${o.slot} is being freed`}; SIGTERM, then SIGKILL)`,
    );
  }
  lines.push(reclaimSentence(p.sentinel, p.reclaim, 'will'));
  return lines;
}

function reclaimSentence(sentinel: CleanupPlan['sentinel'], n: number, tense: 'will' | 'now'): string {
  if (n === 0) return tense === 'will' ? 'No claimed job is affected.' : 'No claimed job is left without a worker.';
  const jobs = plural(n, 'claimed job');
  if (sentinel.up)
    return `The sentinel (pid ${sentinel.pid} on ${sentinel.host}) reclaims the ${jobs} no live worker holds on its next pass.`;
  return `The sentinel is down: the ${jobs} no live worker holds stay claimed until it starts (\`spoolctl sentinel\`), and it reclaims them then.`;
}

function describeResult(plan: CleanupPlan, r: CleanupResult): string[] {
  const lines = r.pluginsKilled.map((k) => `slot ${k.slot}: killed what was left of its plugin (pids ${k.pids.join(', ')})`);
  lines.push(...r.freed.map((s) => `slot ${s}: freed`), ...r.locksRemoved.map((s) => `slot ${s}: abandoned lock removed`));
  for (const s of r.changed) lines.push(`slot ${s}: left alone: it changed since the plan (a worker took it, or came back)`);
  for (const p of r.stopped) {
    if (!p.killed) lines.push(`process ${p.pid}: stopped`);
    else
      lines.push(
        `process ${p.pid}: killed with SIGKILL (it did not stop on SIGTERM)${p.pluginGroups.length ? `, with its plugin process group ${p.pluginGroups.join(', ')}` : ''}`,
      );
  }
  if (r.takenBack > 0) lines.push(`The sentinel took back ${plural(r.takenBack, 'job')} from the lost slots before they were freed.`);
  lines.push(reclaimSentence(plan.sentinel, r.reclaim, 'now'));
  return lines;
}

export function addWorkersCommands(program: Command): void {
  const workers = program.command('workers').description('list and manage worker slots');
  workers
    .command('list')
    .description('every slot: state (free/idle/busy/draining/stale/dead), holder, job, counters, uptime, heartbeat age')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { listWorkers, listSupervised } = await import('../../api/workers.js');
      const s = await spoolOf(cmd);
      const slots = listWorkers(s);
      const supervised = listSupervised(s);
      if (opts.json) return printJson({ slots, supervised });
      process.stdout.write(`${workersTable(slots)}\n`);
      for (const w of supervised.filter((x) => x.state !== 'running')) {
        const what =
          w.state === 'gave_up'
            ? 'given up on after repeated crashes'
            : w.state === 'restarting'
              ? 'crashed; restarting'
              : 'stopped on purpose';
        process.stdout.write(`supervisor on ${w.host}: ${w.name} ${what} (last: ${w.last_exit ?? 'none'}; log ${w.log})\n`);
      }
    });
  workers
    .command('cleanup')
    .description('free the slots of dead and stale workers and stop orphaned local workers; shows the plan first')
    .option('--yes', 'carry out the plan without asking')
    .action(async (opts: { yes?: boolean }, cmd: Command) => {
      const { applyCleanup, planCleanup, planIsEmpty } = await import('../../api/workers.js');
      const s = await spoolOf(cmd);
      const plan = planCleanup(s);
      if (planIsEmpty(plan)) {
        process.stdout.write(
          `Nothing to clean up: every slot is free or held by a live worker, and no orphaned worker runs on this host.\n${reclaimSentence(plan.sentinel, plan.reclaim, 'will')}\n`,
        );
        return;
      }
      process.stdout.write(`${describePlan(plan).join('\n')}\n`);
      if (
        !(await confirmed(
          'Carry this out?',
          opts.yes,
          'Nothing changed: pass --yes to carry out this plan (there is no terminal to ask on).',
        ))
      ) {
        process.stdout.write('Nothing changed.\n');
        process.exitCode = 1;
        return;
      }
      if (plan.lost.some((x) => x.claims > 0) && plan.sentinel.up)
        process.stdout.write('Waiting for the sentinel to take back the jobs of the lost slots...\n');
      process.stdout.write(`${describeResult(plan, await applyCleanup(s, plan)).join('\n')}\n`);
    });
  for (const action of SLOT_ACTIONS) {
    workers
      .command(action)
      .argument('<slot>')
      .description(action === 'drain' ? 'let the slot finish its job, take no more, and its worker exit' : 'cancel a drain')
      .action(async (slot: string, _opts: unknown, cmd: Command) => {
        const { requestSlotAction } = await import('../../api/control.js');
        if (!/^\d+$/.test(slot)) throw new UsageError(`"${slot}" is not a slot number.`);
        const s = await spoolOf(cmd);
        process.exitCode = reportControl(await requestSlotAction(s, action, Number(slot)));
      });
  }
}
