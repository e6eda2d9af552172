/**
 * The Dockerfile reader agrees with the engine: for a sample of generated
 * Dockerfiles (the generator of the reader's property test: ARGs, stages
 * named and unnamed, COPY --from an image or a stage, continuations,
 * comments), the engine's own build starts every stage from the image the
 * reader says, read off the classic builder's `Step n/m : FROM` and
 * `---> <id>` lines. Every image the generator can name exists in the
 * engine, so a build never pulls.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packContext } from '@imgmono/build-context';
import { parseDockerfile, resolveStages } from '@imgmono/dockerfile';
import { assertAsyncProperty, dockerfileCaseArb, uniqueNamespace } from '@imgmono/testing';
import { docker, integrationEnabled } from '@imgmono/test-engine';

const enabled = await integrationEnabled();
const ns = uniqueNamespace('df');
const POOL = [0, 1, 2].map((index) => `${ns}/img-${index}`);

async function build(files: Record<string, string>, buildArgs: Record<string, string> = {}, tag?: string): Promise<string> {
  const tar = packContext(Object.entries(files).map(([path, content]) => ({ kind: 'content' as const, path, mode: 0o644, content: Buffer.from(content) })));
  const stream = await docker.buildImage(tar as unknown as NodeJS.ReadableStream, { buildargs: buildArgs, t: tag, rm: true, forcerm: true, pull: false, labels: { 'io.imgmono.managed': 'true', 'io.imgmono.project': `${ns}/case` } });
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      const message = JSON.parse(line) as { stream?: string; error?: string };
      if (message.error !== undefined) throw new Error(`the engine refused the build: ${message.error}\n${files.Dockerfile}`);
      text += message.stream ?? '';
    }
  }
  return text;
}

/** What the engine started each stage from: the id after each FROM step ('' for scratch), and each stage's last id. */
function stagesOfBuild(output: string): Array<{ base: string; last: string }> {
  const stages: Array<{ base: string; last: string }> = [];
  let awaitingBase = false;
  for (const line of output.split('\n')) {
    if (/^Step \d+\/\d+ : FROM /i.test(line)) {
      stages.push({ base: '', last: '' });
      awaitingBase = true;
      continue;
    }
    const id = /^ ---> ([0-9a-f]{12,64})$/.exec(line)?.[1];
    if (id !== undefined && stages.length > 0) {
      const stage = stages[stages.length - 1];
      if (awaitingBase) stage.base = id;
      stage.last = id;
    }
    if (/^Step \d+\/\d+ : /.test(line)) awaitingBase = false;
  }
  return stages;
}

describe.skipIf(!enabled)('the Dockerfile reader and the engine (property)', () => {
  const ids = new Map<string, string>();

  beforeAll(async () => {
    for (const [index, image] of POOL.entries()) {
      await build({ Dockerfile: `FROM scratch\nCOPY id-${index} /id-${index}\n`, [`id-${index}`]: image }, {}, image);
      ids.set(image, (await docker.getImage(image).inspect()).Id);
      ids.set(`${image}:latest`, ids.get(image)!);
    }
  });

  afterAll(async () => {
    const images = await docker.listImages({ all: true, filters: { label: [`io.imgmono.project=${ns}/case`] } });
    for (const image of images) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
    for (const image of POOL) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  });

  it('the engine starts every stage from the image the reader says', async () => {
    await assertAsyncProperty(
      'the engine resolves the stages the reader finds',
      fc.asyncProperty(dockerfileCaseArb(POOL), async (generated) => {
        const stages = resolveStages(parseDockerfile(generated.text), generated.buildArgs);
        const built = stagesOfBuild(await build({ Dockerfile: generated.text }, generated.buildArgs));
        expect(built.length, generated.text).toBe(stages.length);
        stages.forEach((stage, index) => {
          const short = (id: string) => id.replace(/^sha256:/, '').slice(0, built[index].base.length);
          if (stage.fromStage !== undefined) expect(built[index].base, `stage ${index} of\n${generated.text}`).toBe(built[stage.fromStage].last);
          else if (stage.image === 'scratch') expect(built[index].base, `stage ${index} of\n${generated.text}`).toBe('');
          else expect(built[index].base, `stage ${index} of\n${generated.text}`).toBe(short(ids.get(stage.image)!));
        });
      }),
      25,
    );
  });
});
