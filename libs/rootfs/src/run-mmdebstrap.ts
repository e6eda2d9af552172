/**
 * Runs mmdebstrap to make a root file system tar. The only place that
 * starts it; output lines go to the caller as they come.
 */
import { spawn } from 'node:child_process';
import { FIXED_MTIME } from '@imgmono/build-context';
import { RootfsSpec, mmdebstrapArguments } from './rootfs-spec';
import { UserError } from '@imgmono/errors';

export class RootfsBuildError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

export async function runMmdebstrap(
  spec: RootfsSpec,
  outputTar: string,
  onLine: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const args = mmdebstrapArguments(spec, outputTar);
  onLine(`mmdebstrap ${args.join(' ')}`);
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const child = spawn('mmdebstrap', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SOURCE_DATE_EPOCH: String(FIXED_MTIME) },
      signal,
    });
    let partial = '';
    const read = (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(new RootfsBuildError("mmdebstrap is not installed: run 'apt-get install mmdebstrap' (tools/scripts/engine-setup.sh does it)"));
      } else reject(new RootfsBuildError(`mmdebstrap failed to run: ${error.message}`));
    });
    child.on('close', (code, sig) => {
      if (partial !== '') onLine(partial);
      if (code === 0) resolve();
      else reject(new RootfsBuildError(`mmdebstrap exited with ${code ?? sig}: ${tail.slice(-5).join(' | ')}`));
    });
  });
}
