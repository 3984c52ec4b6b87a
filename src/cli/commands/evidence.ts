/**
 * spoolctl jobs export ID… --out FILE, and spoolctl evidence verify FILE [--ledger PATH]: the
 * second opens no spool, so that a bundle is checked on a machine that has none.
 */
import type { Command } from 'commander';
import type { EvidenceReport } from '../../api/evidence.js';
import type { JobProof } from '../../evidence/check.js';
import { printJson } from '../output.js';
import { plural } from '../text.js';
import { spoolOf } from '../spool.js';

const short = (hash: string) => hash.slice(0, 8);

function proofLine(j: JobProof, r: EvidenceReport): string {
  const o = j.outcome;
  const story = o ? `${o.type}${o.attempt === null ? '' : ` on attempt ${o.attempt}`} at ${o.at}` : 'no events';
  const chain = `${plural(j.events, 'event')} on the chain at seq ${j.first_seq ?? '-'}..${j.last_seq ?? '-'}, head seq ${r.head?.seq ?? '-'} ${short(r.head?.hash ?? '')}`;
  if (!j.ok) return `job ${j.id}: NOT PROVEN (${story}, ${chain}); altered: ${j.altered.join(', ')}`;
  return `job ${j.id}: ${story}, ${chain}; ${j.intact.length ? `${j.intact.join(', ')} intact` : 'no files bundled'}`;
}

/** `jobs` is the command `addJobsCommands` made: export is one of its subcommands. */
export function addEvidenceCommands(program: Command): void {
  const jobs = program.commands.find((c) => c.name() === 'jobs')!;
  jobs
    .command('export')
    .argument('<ids...>', 'job ids')
    .description(
      'write an evidence bundle (tar.gz) of jobs: manifest, plugin, command digests, logs, ledger events and the chain from them to the head, checkable offline by `spoolctl evidence verify`',
    )
    .requiredOption('--out <file>', 'the bundle to write (FILE.tar.gz)')
    .option('--json', 'print JSON')
    .action(async (ids: string[], opts: { out: string; json?: boolean }, cmd: Command) => {
      const { exportJobs } = await import('../../api/evidence.js');
      const r = await exportJobs(await spoolOf(cmd), ids, opts.out);
      if (opts.json) return printJson(r);
      for (const j of r.jobs)
        process.stdout.write(
          `job ${j.id}: ${plural(j.events, 'event')}, ${plural(j.files, 'file')}${j.missing.length ? `; not bundled: ${j.missing.join('; ')}` : ''}\n`,
        );
      process.stdout.write(
        `Wrote ${r.out} (${r.bytes} bytes): ${plural(r.chain.events, 'chain event')} at seq ${r.chain.first_seq}..${r.chain.last_seq}, head seq ${r.head.seq} ${short(r.head.hash)}.\n`,
      );
    });
  program
    .command('evidence')
    .description('evidence bundles of jobs (`spoolctl jobs export`)')
    .command('verify')
    .argument('<file>', 'a bundle written by `spoolctl jobs export`')
    .description(
      "check a bundle with no spool: every file against bundle.json, every event against the hash chain up to the head, each job's files against its events; exit 1 when anything was altered",
    )
    .option('--ledger <path>', "also check that the bundle's head is still on this ledger's chain (ledger/ledger.db)")
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { ledger?: string; json?: boolean }) => {
      const { verifyEvidence } = await import('../../api/evidence.js');
      const { ATTESTED_ONLY } = await import('../../evidence/check.js');
      const r = await verifyEvidence(file, opts.ledger);
      process.exitCode = r.ok ? 0 : 1;
      if (opts.json) return printJson(r);
      for (const j of r.jobs) process.stdout.write(`${proofLine(j, r)}\n`);
      for (const p of r.problems)
        process.stdout.write(`ALTERED ${p.file ?? 'bundle'}${p.seq === null ? '' : ` (seq ${p.seq})`}: ${p.problem}\n`);
      if (r.ledger)
        process.stdout.write(
          r.ledger.ok
            ? `ledger ${r.ledger.path}: the head (seq ${r.head!.seq} ${short(r.head!.hash)}) is on its chain, which verifies up to there\n`
            : `ledger ${r.ledger.path}: ${r.ledger.problem}\n`,
        );
      if (r.ok) process.stdout.write(`OK: nothing altered. Attested only by bundle.json, not by the chain: ${ATTESTED_ONLY}.\n`);
      else
        process.stderr.write(
          `spoolctl: ${r.bundle} does not verify: ${plural(r.problems.length + (r.ledger?.ok === false ? 1 : 0), 'problem')} (see above).\n`,
        );
    });
}
