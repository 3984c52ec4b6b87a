/** Option parsers for numbers, each naming its flag when the value is not one. */
import { UsageError } from '../errors.js';

export function wholeNumber(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new UsageError(`${flag} takes a whole number (got "${v}").`);
    return Number(v);
  };
}
