/**
 * Builds a plugin's argv from its command template. Placeholders are replaced inside each
 * argument; a value is always one argv element and is never seen by a shell, so a parameter
 * such as "; rm -rf /" stays a literal string.
 */
import type { Manifest } from '../spool/manifest.js';

export interface ArgvContext {
  manifest: Manifest;
  attempt: number;
  envDir: string;
}

export class MissingPlaceholderError extends Error {
  override name = 'MissingPlaceholderError';
}

export function buildArgv(template: string[], ctx: ArgvContext): string[] {
  return template.map((arg) =>
    arg.replace(/\{(input|job_id|attempt|env_dir|params\.([A-Za-z0-9_-]+))\}/g, (_, name: string, key: string | undefined) => {
      if (key !== undefined) {
        const params = ctx.manifest.params ?? {};
        const v = Object.hasOwn(params, key) ? params[key] : undefined;
        if (v === undefined)
          throw new MissingPlaceholderError(`the plugin's command uses {params.${key}} but the manifest has no params.${key}`);
        return String(v);
      }
      if (name === 'input') return ctx.manifest.input ?? '';
      if (name === 'job_id') return ctx.manifest.id;
      if (name === 'attempt') return String(ctx.attempt);
      return ctx.envDir;
    }),
  );
}
