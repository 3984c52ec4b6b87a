/**
 * A minimal tar writer and reader for evidence bundles. The writer makes POSIX ustar archives
 * of regular files only. The reader also takes what GNU tar writes when someone unpacks a
 * bundle and packs it again (directory entries, "./" names, long names in 'L' records or pax
 * headers): a repacked bundle is then judged by its contents, not refused for its wrapping.
 */

export interface TarEntry {
  name: string;
  data: Buffer;
}

/** The archive cannot be read as a tar (cut short, a header's checksum wrong, an entry no bundle holds). */
export class TarError extends Error {}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** ustar keeps names of up to 100 bytes, or a prefix of up to 155 bytes plus a name of up to 100 split at a "/". */
function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  for (let at = name.indexOf('/'); at > 0; at = name.indexOf('/', at + 1)) {
    const prefix = name.slice(0, at);
    const base = name.slice(at + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100) return { prefix, base };
  }
  throw new TarError(`"${name}" is too long for a ustar entry`);
}

function header(name: string, size: number, mtimeS: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { prefix, base } = splitName(name);
  h.write(base, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtimeS, 12), 136, 'ascii');
  h.write(' '.repeat(8), 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** An archive of `entries` in their order, each stamped with `mtimeS` (seconds since the epoch). */
export function tarOf(entries: readonly TarEntry[], mtimeS: number): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) parts.push(header(e.name, e.data.length, mtimeS), e.data, padding(e.data.length));
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function text(h: Buffer, start: number, length: number): string {
  const field = h.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? length : nul).toString('utf8');
}

function number(h: Buffer, start: number, length: number, what: string): number {
  const t = text(h, start, length).trim();
  if (!/^[0-7]+$/.test(t)) throw new TarError(`a header's ${what} is not an octal number`);
  return parseInt(t, 8);
}

/** pax extended header records, "<length> <key>=<value>\n": only the path matters here. */
function paxPath(data: Buffer): string | undefined {
  let path: string | undefined;
  for (let at = 0; at < data.length;) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (space < 0 || !Number.isInteger(length) || length <= 0) throw new TarError('a pax header is malformed');
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    if (record.startsWith('path=')) path = record.slice('path='.length);
    at += length;
  }
  return path;
}

/** The regular files of an archive, in its order, names without a leading "./". */
export function entriesOf(tar: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let longName: string | undefined;
  for (let at = 0; ;) {
    if (at + BLOCK > tar.length) throw new TarError('the archive is cut short (no end-of-archive blocks)');
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) return out;
    let sum = 0;
    for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (number(h, 148, 8, 'checksum') !== sum) throw new TarError(`the header at byte ${at} does not match its checksum`);
    const size = number(h, 124, 12, 'size');
    const type = String.fromCharCode(h[156]!);
    const dataAt = at + BLOCK;
    if (dataAt + size > tar.length) throw new TarError('the archive is cut short inside an entry');
    const data = tar.subarray(dataAt, dataAt + size);
    at = dataAt + size + padding(size).length;
    // GNU tar's own format reuses the ustar prefix field for other things: only POSIX ustar has a prefix.
    const prefix = text(h, 257, 6) === 'ustar' ? text(h, 345, 155) : '';
    const name = longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
    longName = undefined;
    if (type === 'L') longName = text(data, 0, data.length);
    else if (type === 'x') longName = paxPath(data);
    else if (type === '0' || type === '\0') out.push({ name: name.replace(/^(\.\/)+/, ''), data: Buffer.from(data) });
    else if (type !== '5' && type !== 'g') throw new TarError(`"${name}" is a link or special file (type ${type}), which no bundle holds`);
  }
}
