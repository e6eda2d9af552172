/**
 * `.dockerignore`, against the docker CLI itself: for generated trees (nested
 * folders, dot files, names that patterns nearly match) and generated
 * pattern lists (globs, `**`, leading `/`, trailing `/`, `!` exceptions in any
 * order), the files this workspace sends are exactly the files that reach the
 * build when the docker CLI sends the same folder (`DOCKER_BUILDKIT=0 docker
 * build`, the context copied into an image and read back). Once per sample.
 */
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { extract } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createContextFilter, listContextEntries, parseDockerignore } from '@imgmono/build-context';
import { assertAsyncProperty, makeTempDir, removeDir, writeTree } from '@imgmono/testing';
import { docker, integrationEnabled } from '@imgmono/test-engine';

const run = promisify(execFile);
const enabled = await integrationEnabled();
const LABEL = `io.imgmono.test=dockerignore-${process.pid}`;

const segment = fc.constantFrom('a', 'b', 'docs', '.cache', 'x.txt', 'y.md', 'keep.txt', 'a.txt', 'node_modules', 'ab');
const treeArb = fc.uniqueArray(fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/')), { minLength: 1, maxLength: 10 });
const patternArb = fc.constantFrom('*.md', 'a', '!a/x.txt', '**/y.md', 'a/*', 'docs/**', '!docs/keep.txt', '/b', 'b/', '*', '!*.txt', '.cache', '**/node_modules', 'a?', '!**/keep.txt', 'docs', '*/x.txt');

/** Every file path of a tree whose paths may be prefixes of each other: a path that is another's folder stays a folder. */
function files(paths: string[]): string[] {
  return paths.filter((candidate) => !paths.some((other) => other.startsWith(`${candidate}/`)));
}

/** The files under /ctx of an image, read from its exported file system. */
async function filesInImage(image: string): Promise<string[]> {
  const container = await docker.createContainer({ Image: image, Cmd: ['none'], Labels: { 'io.imgmono.test': LABEL.split('=')[1] } });
  try {
    const stream = (await container.export()) as unknown as NodeJS.ReadableStream;
    const found: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const parser = extract();
      parser.on('entry', (header, body, next) => {
        if (header.type === 'file' && header.name.startsWith('ctx/')) found.push(header.name.slice('ctx/'.length));
        body.resume();
        body.on('end', next);
      });
      parser.on('finish', resolve);
      parser.on('error', reject);
      stream.pipe(parser);
    });
    return found.sort();
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

describe.skipIf(!enabled)('.dockerignore and the docker CLI (property)', () => {
  const made: string[] = [];
  afterAll(async () => {
    for (const image of made) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  });

  it('sends exactly the files the docker CLI sends', async () => {
    await assertAsyncProperty(
      '.dockerignore selects what the docker CLI selects',
      fc.asyncProperty(treeArb, fc.array(patternArb, { minLength: 1, maxLength: 5 }), async (paths, patterns) => {
        const dir = await makeTempDir('imgmono-dockerignore-');
        try {
          const tree = files(paths);
          await writeTree(dir, Object.fromEntries(tree.map((file) => [file, file])));
          const ignoreText = `${patterns.join('\n')}\n`;
          await writeTree(dir, { 'Dockerfile.prop': 'FROM scratch\nCOPY . /ctx/\n', '.dockerignore': ignoreText });
          const ours = (await listContextEntries(dir, { filter: createContextFilter(parseDockerignore(ignoreText)) }))
            .filter((entry) => entry.kind === 'file' && entry.path !== '.dockerignore' && entry.path !== 'Dockerfile.prop')
            .map((entry) => entry.path)
            .sort();
          const { stdout } = await run('docker', ['build', '-q', '--label', LABEL, '-f', path.join(dir, 'Dockerfile.prop'), dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
          const image = stdout.trim().split('\n').pop()!;
          made.push(image);
          const theirs = (await filesInImage(image)).filter((file) => file !== '.dockerignore' && file !== 'Dockerfile.prop');
          expect(ours, `tree ${JSON.stringify(tree)}, .dockerignore ${JSON.stringify(patterns)}`).toEqual(theirs);
        } finally {
          await removeDir(dir);
        }
      }),
      30,
    );
  });
});
