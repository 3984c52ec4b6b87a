/**
 * What a support bundle leaves out: the value of anything named like a secret (a password, a
 * token, an API or private key, a credential), wherever the name shows: an environment
 * variable, a JSON key, or `name=value` / `name: value` in a log line. The name stays, so a
 * reader still sees that it was set.
 */
export const REDACTED = '[redacted]';

const SECRET_WORDS = 'secret|token|passw(?:or)?d|passphrase|pwd|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth|cookie|session';
const SECRET_NAME = new RegExp(`(?:${SECRET_WORDS})`, 'i');
const SECRET_PAIR = new RegExp(`([\\w.-]*(?:${SECRET_WORDS})[\\w.-]*)(["']?\\s*[=:]\\s*)("[^"]*"|'[^']*'|\\S+)`, 'gi');

export function secretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** `db_password=hunter2` → `db_password=[redacted]`, in free text. */
export function redactText(text: string): string {
  return text.replace(SECRET_PAIR, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
}

/** A JSON value with every secret-named key's value replaced, and every string's secret pairs. */
export function redactJson(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactJson);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, secretName(k) && v !== null && v !== '' ? REDACTED : redactJson(v)]),
    );
  return value;
}
