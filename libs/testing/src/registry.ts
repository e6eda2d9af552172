/** A real registry for tests: Debian's docker-registry on 127.0.0.1, started and stopped by tools/scripts/registry.sh. */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { REPO_ROOT } from './test-workspace';

export interface TestRegistry {
  host: string;
  dir: string;
  stop(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export async function startRegistry(dir: string, auth?: { username: string; password: string }): Promise<TestRegistry> {
  const script = path.join(REPO_ROOT, 'tools/scripts/registry.sh');
  const args = [script, 'start', dir, String(await freePort())];
  if (auth) args.push(`${auth.username}:${auth.password}`);
  const host = execFileSync('bash', args, { encoding: 'utf8' }).trim().split('\n').pop()!;
  return { host, dir, stop: () => execFileSync('bash', [script, 'stop', dir]) };
}
