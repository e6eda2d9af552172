/**
 * Integration tests need a real engine. Without one they are skipped on a
 * developer's machine, but with CI=true they run and fail on the engine's
 * own error, so a CI run can never pass without testing anything.
 */
import Docker from 'dockerode';
import { demuxContainerOutput } from '@imgmono/engine';
import { LABEL } from '@imgmono/image-meta';

export const docker = new Docker();

export async function engineAnswers(): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

/** True when the integration tests must run: an engine answers, or this is CI (where its absence must fail). */
export async function integrationEnabled(): Promise<boolean> {
  if (await engineAnswers()) return true;
  if (process.env.CI === 'true') return true;
  console.warn('no Docker engine answers: integration tests skipped (run tools/scripts/engine-setup.sh; in CI they fail instead)');
  return false;
}

/** Removes every image a test namespace produced (by the project label), tags and all. */
export async function removeNamespaceImages(namespace: string): Promise<void> {
  const images = await docker.listImages({ all: true, filters: { label: [`${LABEL.managed}=true`] } });
  for (const image of images) {
    const project = image.Labels?.[LABEL.project] ?? '';
    if (project.startsWith(`${namespace}/`)) {
      await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
    }
  }
}

export async function imageIdOf(reference: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(reference).inspect()).Id;
  } catch {
    return undefined;
  }
}

export async function inspect(reference: string): Promise<Docker.ImageInspectInfo> {
  return docker.getImage(reference).inspect();
}

/**
 * Runs a command in a container of the image with no network, and removes
 * the container afterwards whatever happens. Resolves with exit code and output.
 */
export async function runInImage(image: string, cmd: string[], entrypoint: string[] = []): Promise<{ exitCode: number; output: string }> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    Entrypoint: entrypoint,
    Labels: { [LABEL.managed]: 'true' },
    HostConfig: { NetworkMode: 'none', AutoRemove: false },
  });
  try {
    await container.start();
    const { StatusCode } = await container.wait();
    const logs = await container.logs({ stdout: true, stderr: true, follow: false });
    return { exitCode: StatusCode, output: demuxContainerOutput(logs as unknown as Buffer) };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/**
 * Containers the engine created between two times (milliseconds): a build's steps create
 * them, reuse does not. With a project prefix, only containers of that workspace's images
 * count (a build step's container carries its parent image's labels), so another run on the
 * same engine does not disturb the count.
 */
export async function containersCreated(sinceMs: number, untilMs: number, projectPrefix?: string): Promise<number> {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const stream = (await docker.getEvents({
    since: seconds(sinceMs),
    until: seconds(untilMs),
    filters: { type: ['container'], event: ['create'] },
  } as unknown as Parameters<typeof docker.getEvents>[0])) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) text += chunk.toString('utf8');
  const events = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } });
  if (projectPrefix === undefined) return events.length;
  return events.filter((event) => (event.Actor?.Attributes?.[LABEL.project] ?? '').startsWith(projectPrefix)).length;
}
