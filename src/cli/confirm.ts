/** Asking before a bulk change: on a terminal, a question that defaults to No; without one, only --yes goes ahead. */
import { UsageError } from '../errors.js';

/** Whether to go ahead; without a terminal to ask on and without --yes, throws `refusal` (exit 2). */
export async function confirmed(question: string, yes: boolean | undefined, refusal: string): Promise<boolean> {
  if (yes) return true;
  if (process.stdin.isTTY !== true) throw new UsageError(refusal);
  const { createInterface } = await import('node:readline/promises');
  // The question goes to stderr: stdout carries the results, for scripts.
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      // Ctrl-C or end of input at the question is a No.
      rl.once('SIGINT', () => resolve(''));
      rl.once('close', () => resolve(''));
      rl.question(`${question} [y/N] `).then(resolve, () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
