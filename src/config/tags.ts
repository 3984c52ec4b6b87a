/**
 * Worker tags (`worker --tag`, worker.tags) and the tags a job requires (`submit --requires`):
 * one syntax, the pattern of schemas/manifest.schema.json's "requires", so that a tag a
 * worker advertises can always be named by a job.
 */
import { commaList } from './comma-list.js';

const TAG = /^[A-Za-z0-9_.-]{1,64}$/;

/** Why `tag` is not a tag, or undefined; `where` names the flag or the file and key. */
export function tagProblem(tag: string, where: string): string | undefined {
  if (TAG.test(tag)) return undefined;
  return `${where}: "${tag}" is not a tag (1 to 64 letters, digits, "_", "." or "-"; no spaces)`;
}

/** worker.tags, comma-separated: blanks around commas and empty items are ignored. */
export function splitTags(csv: string): string[] {
  return commaList(csv);
}

/** Sorted and unique: how tags are written to a heartbeat or a manifest. */
export function normalTags(...lists: readonly string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}
