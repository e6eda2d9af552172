/**
 * The file hash cache's file: records of files (path, size, times, inode,
 * content hash) as bytes and back, without I/O. The layout:
 *
 *   magic (24 bytes: `imgmono-file-hashes 2 LE`, the last two the byte order of the numbers)
 *   count, bytes of paths (uint32 each, little-endian)
 *   count x (size, mtimeMs, ctimeMs, ino) as float64
 *   count x SHA-256 (32 bytes)
 *   the paths in UTF-8, separated by NUL (which no file name holds)
 *
 * so a load is one read, one view of the numbers and one decode of the
 * paths. Anything else (another version, another byte order, a cut file)
 * decodes as no records: the cache is then empty, never wrong.
 */
import { endianness } from 'node:os';

export const RECORD_NUMBERS = 4;
export const HASH_BYTES = 32;

const MAGIC = Buffer.from(`imgmono-file-hashes 2 ${endianness()}`, 'latin1');
const HEADER_BYTES = MAGIC.length + 8;

export interface FileHashRecords {
  paths: string[];
  /** RECORD_NUMBERS numbers a record: size, mtimeMs, ctimeMs, ino. */
  numbers: Float64Array;
  /** HASH_BYTES bytes a record. */
  hashes: Buffer;
}

const NONE: FileHashRecords = { paths: [], numbers: new Float64Array(0), hashes: Buffer.alloc(0) };

export function encodeFileHashRecords(records: FileHashRecords): Buffer {
  const count = records.paths.length;
  if (records.numbers.length !== count * RECORD_NUMBERS || records.hashes.length !== count * HASH_BYTES) {
    throw new RangeError(`file hash records: ${count} paths, ${records.numbers.length} numbers and ${records.hashes.length} hash bytes do not match`);
  }
  const paths = Buffer.from(records.paths.join('\0'), 'utf8');
  const out = Buffer.allocUnsafe(HEADER_BYTES + count * (RECORD_NUMBERS * 8 + HASH_BYTES) + paths.length);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(count, MAGIC.length);
  out.writeUInt32LE(paths.length, MAGIC.length + 4);
  let at = HEADER_BYTES;
  at += Buffer.from(records.numbers.buffer, records.numbers.byteOffset, records.numbers.byteLength).copy(out, at);
  at += records.hashes.copy(out, at);
  paths.copy(out, at);
  return out;
}

/** The records in `data`; none when it is missing or not a file of this version and byte order. */
export function decodeFileHashRecords(data: Buffer | undefined): FileHashRecords {
  if (data === undefined || data.length < HEADER_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) return NONE;
  const count = data.readUInt32LE(MAGIC.length);
  const pathBytes = data.readUInt32LE(MAGIC.length + 4);
  const numbersAt = HEADER_BYTES;
  const hashesAt = numbersAt + count * RECORD_NUMBERS * 8;
  const pathsAt = hashesAt + count * HASH_BYTES;
  if (pathsAt + pathBytes !== data.length) return NONE;
  const paths = count === 0 ? [] : data.toString('utf8', pathsAt).split('\0');
  if (paths.length !== count) return NONE;
  // a view when the numbers are aligned in memory, else a copy
  const numbers =
    (data.byteOffset + numbersAt) % 8 === 0
      ? new Float64Array(data.buffer, data.byteOffset + numbersAt, count * RECORD_NUMBERS)
      : new Float64Array(new Uint8Array(data.subarray(numbersAt, hashesAt)).buffer);
  return { paths, numbers, hashes: data.subarray(hashesAt, pathsAt) };
}
