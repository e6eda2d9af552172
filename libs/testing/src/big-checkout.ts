/** A generated git checkout of many files, for streaming and memory tests and the benchmark. */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * `olderThanMs`: return only once the last file written is that old, as a
 * checkout handed to a build is (the file hash cache trusts no file changed
 * within its racy window of the hashing).
 */
export async function makeBigCheckout(dir: string, files: number, bytesPerFile: number, olderThanMs = 0): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const block = Buffer.alloc(bytesPerFile);
  for (let i = 0; i < files; i++) {
    const folder = path.join(dir, `pkg${Math.floor(i / 500)}`);
    if (i % 500 === 0) await fs.mkdir(folder, { recursive: true });
    block.write(`file ${i}\n`.padEnd(64, '.'), 0); // every file differs
    for (let j = 64; j < bytesPerFile; j += 4096) block.writeUInt32BE((i * 2654435761 + j) >>> 0, j);
    await fs.writeFile(path.join(folder, `module_${i}.py`), block);
  }
  const lastWrittenMs = Date.now();
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };
  execFileSync('git', ['-C', dir, 'init', '-q'], { env });
  execFileSync('git', ['-C', dir, '-c', 'core.compression=1', 'add', '-A'], { env });
  execFileSync('git', ['-C', dir, '-c', 'gc.auto=0', '-c', 'maintenance.auto=false', 'commit', '-qm', 'generated'], { env });
  const wait = lastWrittenMs + olderThanMs - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
