/** spoolctl status [--json] */
import type { Command } from 'commander';
import { ago, percent, printJson, table } from '../output.js';
import type { GlobalOptions } from '../main.js';

export function addStatusCommand(program: Command): void {
  program
    .command('status')
    .description('one-shot status: sentinel, counts per state, slots')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { getStatus } = await import('../../api/status.js');
      const { openSpool } = await import('../../api/spool.js');
      const st = getStatus(openSpool(cmd.optsWithGlobals<GlobalOptions>().spool));
      if (opts.json) return printJson(st);
      const s = st.sentinel;
      const out = [
        `spool     ${st.spool}`,
        `sentinel  ${s.up ? `up, pid ${s.pid} on ${s.host}, since ${s.started_at}` : 'DOWN: nothing is dispatched; start it with `spoolctl sentinel`'}`,
        `jobs      ${Object.entries(st.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
        '',
        table(
          ['SLOT', 'STATE', 'HOST:PID', 'JOB', 'PROGRESS', 'RUNNING', 'BEAT'],
          st.slots.map((x) => [
            x.slot,
            x.draining ? `${x.state}, draining` : x.state,
            x.host ? `${x.host}:${x.pid}` : null,
            x.job,
            x.job ? `${percent(x.progress)}${x.message ? ` ${x.message}` : ''}` : null,
            x.job ? ago(x.job_started_at) : null,
            x.beat_age_s === null ? null : `${x.beat_age_s}s${x.state === 'stale' ? ' STALE' : ''}`,
          ]),
        ),
      ];
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
