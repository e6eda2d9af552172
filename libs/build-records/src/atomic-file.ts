/**
 * Writes a file whole or not at all: a temporary file beside it, then a
 * rename. When any step fails (a full disk, a read-only folder) the
 * temporary file is removed and the error is thrown on, so the previous
 * file stays as it was and nothing half-written is left behind.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

let sequence = 0;

export async function writeFileAtomic(file: string, text: string | Uint8Array): Promise<void> {
  const temp = `${file}.${process.pid}.${++sequence}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(temp, text, { flag: 'wx' });
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
