/**
 * Encoding of POSIX tar (ustar + pax) headers. Pure: the same entry always
 * gives the same bytes, which is what makes contexts reproducible.
 */
export const BLOCK = 512;

/** Every entry of a context carries this mtime: 2000-01-01T00:00:00Z (after 1980, which zip-based Python tooling needs). */
export const FIXED_MTIME = 946684800;

export interface TarHeader {
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  size: number;
  linkTarget?: string;
}

const TYPE_FLAG = { file: '0', directory: '5', symlink: '2' } as const;
const MAX_OCTAL_SIZE = 0o77777777777;

/** The header block(s) for one entry: a pax extended header first when a field does not fit ustar. */
export function encodeHeader(header: TarHeader): Buffer {
  const name = header.type === 'directory' && !header.path.endsWith('/') ? `${header.path}/` : header.path;
  const pax: Record<string, string> = {};
  const split = splitName(name);
  if (split === undefined) pax.path = name;
  const link = header.linkTarget ?? '';
  if (Buffer.byteLength(link) > 100) pax.linkpath = link;
  if (header.size > MAX_OCTAL_SIZE) pax.size = String(header.size);

  const blocks: Buffer[] = [];
  if (Object.keys(pax).length > 0) {
    const body = encodePaxRecords(pax);
    blocks.push(
      ustarBlock({ name: truncateUtf8(`PaxHeaders/${name}`, 100), prefix: '', type: 'x', mode: 0o644, size: body.length, link: '' }),
      padToBlock(body),
    );
  }
  const { prefix, base } = split ?? { prefix: '', base: truncateUtf8(name, 100) };
  blocks.push(
    ustarBlock({
      name: base,
      prefix,
      type: TYPE_FLAG[header.type],
      mode: header.mode,
      size: header.type === 'file' ? Math.min(header.size, MAX_OCTAL_SIZE) : 0,
      link: pax.linkpath !== undefined ? truncateUtf8(link, 100) : link,
    }),
  );
  return Buffer.concat(blocks);
}

/** How many bytes encodeHeader gives for this header, without encoding it in the common case (one ustar block). */
export function headerLength(header: TarHeader): number {
  const name = header.type === 'directory' && !header.path.endsWith('/') ? `${header.path}/` : header.path;
  const simple = Buffer.byteLength(name) <= 100 && Buffer.byteLength(header.linkTarget ?? '') <= 100 && header.size <= MAX_OCTAL_SIZE;
  return simple ? BLOCK : encodeHeader(header).length;
}

/** Zero bytes that pad a file's content to a whole block. */
export function paddingFor(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** Two zero blocks end an archive. */
export function endOfArchive(): Buffer {
  return Buffer.alloc(BLOCK * 2);
}

function splitName(name: string): { prefix: string; base: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  // ustar: prefix (<=155 bytes) + '/' + name (<=100 bytes)
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/' || i === name.length - 1) continue;
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100 && base !== '') return { prefix, base };
  }
  return undefined;
}

function encodePaxRecords(records: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const key of Object.keys(records).sort()) {
    const payload = ` ${key}=${records[key]}\n`;
    let length = Buffer.byteLength(payload) + 1;
    while (String(length).length + Buffer.byteLength(payload) !== length) length = String(length).length + Buffer.byteLength(payload);
    parts.push(Buffer.from(`${length}${payload}`));
  }
  return Buffer.concat(parts);
}

function padToBlock(data: Buffer): Buffer {
  return Buffer.concat([data, paddingFor(data.length)]);
}

interface UstarFields {
  name: string;
  prefix: string;
  type: string;
  mode: number;
  size: number;
  link: string;
}

function ustarBlock(fields: UstarFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(fields.name, 0, 100, 'utf8');
  writeOctal(block, fields.mode & 0o7777, 100, 8);
  writeOctal(block, 0, 108, 8); // uid
  writeOctal(block, 0, 116, 8); // gid
  writeOctal(block, fields.size, 124, 12);
  writeOctal(block, FIXED_MTIME, 136, 12);
  block.write('        ', 148, 8, 'ascii'); // checksum placeholder
  block.write(fields.type, 156, 1, 'ascii');
  block.write(fields.link, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'binary');
  // uname, gname: empty; devmajor/devminor: zero
  writeOctal(block, 0, 329, 8);
  writeOctal(block, 0, 337, 8);
  block.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'binary');
  return block;
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}

function truncateUtf8(text: string, bytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > bytes) out = out.slice(0, -1);
  return out;
}
