/**
 * Encoding of POSIX tar (ustar + pax) headers. Pure: the same entry always
 * gives the same bytes, which is what makes contexts reproducible.
 */
export const BLOCK = 512;

/** Zero bytes after `size` bytes of content, to the end of their last block. */
export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

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
/** The largest size ustar's octal size field holds; a larger file's size goes in a pax header. */
export const MAX_OCTAL_SIZE = 0o77777777777;

/** The header block(s) for one entry: a pax extended header first when a field does not fit ustar. */
export function encodeHeader(header: TarHeader): Buffer {
  const out = Buffer.allocUnsafe(headerLength(header));
  writeHeader(out, 0, header);
  return out;
}

/**
 * Writes an entry's header block(s) into `target` at `offset`, which must have
 * `headerLength(header)` bytes of room; returns how many bytes it wrote. The
 * common entry (one ustar block) is written in place, with no buffer of its own.
 */
export function writeHeader(target: Buffer, offset: number, header: TarHeader): number {
  const name = header.type === 'directory' && !header.path.endsWith('/') ? `${header.path}/` : header.path;
  if (fitsOneBlock(name, header)) {
    // the common entry: its name in the name field, no prefix, no pax header
    writeUstar(target, offset, { name, prefix: '', type: TYPE_FLAG[header.type], mode: header.mode, size: header.type === 'file' ? header.size : 0, link: header.linkTarget ?? '' });
    return BLOCK;
  }
  const split = splitName(name);
  const link = header.linkTarget ?? '';
  const pax: Record<string, string> = {};
  if (split === undefined) pax.path = name;
  if (link.length > 33 && Buffer.byteLength(link) > 100) pax.linkpath = link;
  if (header.size > MAX_OCTAL_SIZE) pax.size = String(header.size);

  let at = offset;
  if (pax.path !== undefined || pax.linkpath !== undefined || pax.size !== undefined) {
    const body = encodePaxRecords(pax);
    writeUstar(target, at, { name: truncateUtf8(`PaxHeaders/${name}`, 100), prefix: '', type: 'x', mode: 0o644, size: body.length, link: '' });
    at += BLOCK;
    body.copy(target, at);
    const padded = Math.ceil(body.length / BLOCK) * BLOCK;
    target.fill(0, at + body.length, at + padded);
    at += padded;
  }
  const { prefix, base } = split ?? { prefix: '', base: truncateUtf8(name, 100) };
  writeUstar(target, at, {
    name: base,
    prefix,
    type: TYPE_FLAG[header.type],
    mode: header.mode,
    size: header.type === 'file' ? Math.min(header.size, MAX_OCTAL_SIZE) : 0,
    link: pax.linkpath !== undefined ? truncateUtf8(link, 100) : link,
  });
  return at + BLOCK - offset;
}

/** How many bytes an entry's header takes: one block, or a pax header (its block and its padded records) and one block. */
export function headerLength(header: TarHeader): number {
  const name = header.type === 'directory' && !header.path.endsWith('/') ? `${header.path}/` : header.path;
  if (fitsOneBlock(name, header)) return BLOCK;
  const link = header.linkTarget ?? '';
  const pax: Record<string, string> = {};
  if (splitName(name) === undefined) pax.path = name;
  if (link.length > 33 && Buffer.byteLength(link) > 100) pax.linkpath = link;
  if (header.size > MAX_OCTAL_SIZE) pax.size = String(header.size);
  if (pax.path === undefined && pax.linkpath === undefined && pax.size === undefined) return BLOCK;
  return BLOCK + Math.ceil(encodePaxRecords(pax).length / BLOCK) * BLOCK + BLOCK;
}

/**
 * Whether an entry's header is one ustar block with the whole name in its name field: a name and
 * link target of 100 bytes or fewer, a size ustar's octal field holds. Most entries; checked
 * without building anything.
 */
function fitsOneBlock(name: string, header: TarHeader): boolean {
  if (header.size > MAX_OCTAL_SIZE) return false;
  // a UTF-8 character takes at most 3 bytes per UTF-16 unit: 33 units or fewer fit whatever they hold
  if (name.length > 33 && (name.length > 100 || Buffer.byteLength(name) > 100)) return false;
  const link = header.linkTarget;
  return link === undefined || link.length <= 33 || (link.length <= 100 && Buffer.byteLength(link) <= 100);
}

function splitName(name: string): { prefix: string; base: string } | undefined {
  // a UTF-8 character takes at most 3 bytes per UTF-16 unit: a name of 33 units or fewer fits whatever it holds
  if (name.length <= 33 || Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
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

interface UstarFields {
  name: string;
  prefix: string;
  type: string;
  mode: number;
  size: number;
  link: string;
}

/** The fields every header carries alike (owner 0:0, the fixed mtime, the ustar magic, devices 0), the checksum field blank. */
const TEMPLATE = (() => {
  const block = Buffer.alloc(BLOCK);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 136, 12, FIXED_MTIME);
  block.write('        ', 148, 8, 'ascii'); // checksum placeholder
  block.write('ustar\u000000', 257, 8, 'binary');
  // uname, gname: empty; devmajor/devminor: zero
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  return block;
})();

function writeUstar(target: Buffer, offset: number, fields: UstarFields): void {
  TEMPLATE.copy(target, offset);
  // the checksum: the template's bytes, then what each field adds over the template's (zero) bytes there
  let sum = TEMPLATE_SUM;
  sum += sumOf(target, offset, target.write(fields.name, offset, 100, 'utf8'));
  sum += writeOctal(target, offset + 100, 8, fields.mode & 0o7777);
  sum += writeOctal(target, offset + 124, 12, fields.size);
  target[offset + 156] = fields.type.charCodeAt(0);
  sum += target[offset + 156];
  if (fields.link !== '') sum += sumOf(target, offset + 157, target.write(fields.link, offset + 157, 100, 'utf8'));
  if (fields.prefix !== '') sum += sumOf(target, offset + 345, target.write(fields.prefix, offset + 345, 155, 'utf8'));
  // six octal digits, NUL, space
  writeOctal(target, offset + 148, 7, sum);
  target[offset + 155] = 0x20;
}

/** The sum of the template's bytes, but for the fields writeUstar fills in (zeros in the template, but for the checksum's spaces). */
const TEMPLATE_SUM = TEMPLATE.reduce((sum, byte) => sum + byte, 0);

/** The template of a file's header with its mode and type written in, and its bytes' sum; by mode. */
const FILE_TEMPLATES = new Map<number, { block: Buffer; sum: number }>();

function fileTemplate(mode: number): { block: Buffer; sum: number } {
  let template = FILE_TEMPLATES.get(mode);
  if (template === undefined) {
    const block = Buffer.from(TEMPLATE);
    writeOctal(block, 100, 8, mode);
    block[156] = TYPE_FLAG.file.charCodeAt(0);
    template = { block, sum: block.reduce((sum, byte) => sum + byte, 0) };
    FILE_TEMPLATES.set(mode, template);
  }
  return template;
}

/**
 * The header of a file whose name fits the name field (100 bytes at most) and whose size fits
 * ustar's octal field: the bytes writeHeader writes for it, with nothing built on the way (a
 * context's most common header, written 20,000 times for 20,000 files).
 */
export function writeFileHeader(target: Buffer, offset: number, name: string, mode: number, size: number): void {
  const template = fileTemplate(mode & 0o7777);
  template.block.copy(target, offset);
  const nameBytes = target.write(name, offset, 100, 'utf8');
  const sum = template.sum + sumOf(target, offset, nameBytes) + writeOctal(target, offset + 124, 12, size);
  // six octal digits, NUL, space
  writeOctal(target, offset + 148, 7, sum);
  target[offset + 155] = 0x20;
}

function sumOf(bytes: Buffer, offset: number, length: number): number {
  let sum = 0;
  for (let i = offset; i < offset + length; i++) sum += bytes[i];
  return sum;
}

/** `length - 1` octal digits (zero-padded, the value's lowest digits if it has more) and a NUL, as bytes; returns the bytes' sum. */
function writeOctal(target: Buffer, offset: number, length: number, value: number): number {
  let rest = value;
  let sum = 0;
  for (let i = offset + length - 2; i >= offset; i--) {
    target[i] = 0x30 + (rest % 8);
    sum += target[i];
    rest = Math.floor(rest / 8);
  }
  target[offset + length - 1] = 0;
  return sum;
}

function truncateUtf8(text: string, bytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > bytes) out = out.slice(0, -1);
  return out;
}
