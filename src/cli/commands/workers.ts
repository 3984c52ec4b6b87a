/** spoolctl workers drain|undrain SLOT */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { SLOT_ACTIONS } from '../../spool/control.js';
import type { GlobalOptions } from '../main.js';
import { reportControl } from './control-output.js';

export function addWorkersCommands(program: Command): void {
  const workers = program.command('workers').description('manage worker slots');
  for (const action of SLOT_ACTIONS) {
    workers
      .command(action)
      .argument('<slot>')
      .description(action === 'drain' ? 'let the slot finish its job, take no more, and its worker exit' : 'cancel a drain')
      .action(async (slot: string, _opts: unknown, cmd: Command) => {
        const { requestSlotAction } = await import('../../api/control.js');
        const { openSpool } = await import('../../api/spool.js');
        if (!/^\d+$/.test(slot)) throw new UsageError(`"${slot}" is not a slot number.`);
        const s = openSpool(cmd.optsWithGlobals<GlobalOptions>().spool);
        process.exitCode = reportControl(await requestSlotAction(s, action, Number(slot)));
      });
  }
}
