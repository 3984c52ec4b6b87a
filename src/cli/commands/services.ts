/** spoolctl start-services | stop-services, and the supervisor they run (`supervise`, hidden). */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { GlobalOptions } from '../main.js';
import { spoolOf } from '../spool.js';
import { tagOption } from './processes.js';

const count = (v: string): number => {
  if (!/^[1-8]$/.test(v)) throw new UsageError(`--workers takes a number from 1 to 8 (got "${v}").`);
  return Number(v);
};

export function addServicesCommands(program: Command): void {
  program
    .command('start-services')
    .description(
      'start a detached supervisor with N workers on this host (and the sentinel, if none is up); returns once the workers hold slots',
    )
    .option('--workers <n>', 'workers on this host (default: services.workers)', count)
    .option('--standby', "also run a sentinel here that stands by while another host's is active, and takes over when it is gone")
    .option(...tagOption('a tag every worker started here advertises, on top of worker.tags (repeatable)'))
    .action(async (opts: { workers?: number; standby?: boolean; tag: string[] }, cmd: Command) => {
      const { startServices } = await import('../../api/services.js');
      const s = await spoolOf(cmd);
      const { workersAsked } = await import('../../fleet/limits.js');
      const { workers: n, asked } = workersAsked(s.loaded, opts.workers);
      const r = await startServices(s, n, { asked, standby: opts.standby, tags: opts.tag });
      const sentinel = r.record.children.find((c) => c.role === 'sentinel');
      if (r.already) {
        process.stdout.write(
          `Services already run on ${r.record.host} (supervisor pid ${r.record.supervisor.pid}); nothing started. \`spoolctl stop-services\` stops them.\n`,
        );
        return;
      }
      process.stdout.write(
        `Started on ${r.record.host}: supervisor pid ${r.record.supervisor.pid}${sentinel?.proc ? `, ${opts.standby ? 'standby ' : ''}sentinel pid ${sentinel.proc.pid}` : ' (a sentinel was already up)'}\n`,
      );
      for (const w of r.slots) process.stdout.write(`  ${w.name}  pid ${w.pid}  slot ${w.slot}\n`);
      process.stdout.write(`Logs: ${r.logDir}\n`);
    });
  program
    .command('stop-services')
    .description('stop what start-services started on this host: graceful, then killed after services.stop_timeout_ms; safe to repeat')
    .action(async (_opts: unknown, cmd: Command) => {
      const { stopServices } = await import('../../api/services.js');
      const s = await spoolOf(cmd);
      const r = await stopServices(s, s.loaded.config.services.stop_timeout_ms, (line) => process.stdout.write(`${line}\n`));
      if (!r.found) {
        process.stdout.write('No services recorded for this host; nothing to stop.\n');
        return;
      }
      if (r.graceful) process.stdout.write(`Services stopped.${r.released.length ? ` Released slots ${r.released.join(', ')}.` : ''}\n`);
      else
        process.stdout.write(
          `Services stopped; killed pids ${r.killed.join(', ')}${r.pluginGroups.length ? ` and plugin process groups ${r.pluginGroups.join(', ')}` : ''}${r.released.length ? `, released slots ${r.released.join(', ')}` : ''}.\n`,
        );
      if (r.gone.length)
        process.stdout.write(`Already gone, not signalled: ${r.gone.map((g) => `${g.name} (pid ${g.pid})`).join(', ')}.\n`);
    });
  program.addCommand(
    new Command('supervise')
      .description('the per-host supervisor that start-services runs')
      .option('--workers <n>', 'workers to keep running', count)
      .option('--with-sentinel', 'also keep a sentinel running')
      .option('--standby', 'run that sentinel as a standby')
      .option(...tagOption('a tag every worker advertises (repeatable)'))
      .action(async (opts: { workers?: number; withSentinel?: boolean; standby?: boolean; tag: string[] }, cmd: Command) => {
        const { runSupervisor } = await import('../../fleet/supervisor.js');
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const s = await spoolOf(cmd);
        const { checkWorkerCount, workersAsked } = await import('../../fleet/limits.js');
        const { workers, asked } = workersAsked(s.loaded, opts.workers);
        checkWorkerCount(s.loaded, workers, asked);
        const code = await runSupervisor(s.l, s.loaded, {
          workers,
          withSentinel: !!opts.withSentinel,
          standby: !!opts.standby,
          tags: opts.tag,
          verbose: g.verbose,
        });
        process.exit(code);
      }),
    { hidden: true },
  );
}
