/**
 * The engine client's small requests (ping, an image's inspection and
 * history) go over the engine's unix socket without Node's HTTP client or
 * dockerode (socket-request.ts). Against the real engine they must answer
 * exactly what the same requests through dockerode answer, for an image
 * named by tag, by id and by short id, and for one the engine does not hold.
 * The failures that a real engine does not produce on demand (something
 * else than HTTP on the socket, an answer cut short) come from small socket
 * servers of the test's own.
 */
import Docker from 'dockerode';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listContextEntries, packContext } from '@imgmono/build-context';
import { EngineUnavailableError, createEngineClient } from '@imgmono/engine';
import { LABEL } from '@imgmono/image-meta';
import { makeTempDir, removeDir } from '@imgmono/testing';
import { docker, integrationEnabled } from '@imgmono/test-engine';

const enabled = await integrationEnabled();
const REPOSITORY = 'imgmono-engine-client/probe';

describe.skipIf(!enabled)('the engine client over the unix socket', () => {
  let tmp: string;
  let imageId: string;
  const overSocket = createEngineClient();
  const throughDockerode = createEngineClient(new Docker());

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-engine-client-');
    const folder = path.join(tmp, 'ctx');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, 'file'), 'probe\n');
    await fs.writeFile(path.join(folder, 'Dockerfile'), 'FROM scratch\nCOPY file /file\nLABEL probe.instruction="the last one"\n');
    imageId = await overSocket.build(
      packContext(await listContextEntries(folder)),
      { dockerfile: 'Dockerfile', buildArgs: {}, labels: { [LABEL.managed]: 'true', 'probe.kind': 'engine-client test' }, networkMode: 'none' },
      () => undefined,
    );
    await overSocket.tagImage(imageId, REPOSITORY, 'latest');
  });
  afterAll(async () => {
    await docker.getImage(imageId).remove({ force: true }).catch(() => undefined);
    await removeDir(tmp);
  });

  it('answers a ping', async () => {
    await expect(overSocket.ping()).resolves.toBeUndefined();
  });

  it('inspects an image by tag, id and short id as dockerode does', async () => {
    for (const reference of [`${REPOSITORY}:latest`, REPOSITORY, imageId, imageId.slice('sha256:'.length, 'sha256:'.length + 12)]) {
      const ours = await overSocket.inspectImage(reference);
      expect(ours, reference).toEqual(await throughDockerode.inspectImage(reference));
      expect(ours?.id, reference).toBe(imageId);
    }
    const summary = await overSocket.inspectImage(imageId);
    expect(summary?.labels).toMatchObject({ 'probe.kind': 'engine-client test', 'probe.instruction': 'the last one' });
    expect(summary?.repoTags).toContain(`${REPOSITORY}:latest`);
    expect(summary?.layers).toHaveLength(1);
  });

  it('answers undefined for an image the engine does not hold, as dockerode does', async () => {
    for (const reference of [`${REPOSITORY}:no-such-tag`, `sha256:${'0'.repeat(64)}`]) {
      expect(await overSocket.inspectImage(reference), reference).toBeUndefined();
      expect(await throughDockerode.inspectImage(reference), reference).toBeUndefined();
      expect(await overSocket.topInstruction(reference), reference).toBeUndefined();
    }
  });

  it("gives the instruction of the image's top layer as dockerode does", async () => {
    const ours = await overSocket.topInstruction(imageId);
    expect(ours).toBe(await throughDockerode.topInstruction(imageId));
    // the labels a build adds come last, as an instruction of their own
    expect(ours).toContain('LABEL probe.kind=');
  });

  it('says no engine answers when nothing listens on the socket', async () => {
    const socket = path.join(tmp, 'no-engine.sock');
    const client = createEngineClient(undefined, `DOCKER_HOST=unix://${socket}`, `unix://${socket}`, socket);
    await expect(client.ping()).rejects.toThrow(EngineUnavailableError);
    await expect(client.inspectImage(imageId)).rejects.toThrow(`no Docker engine answers at DOCKER_HOST=unix://${socket} (ENOENT`);
  });

  /** A client of a socket server of the test's own that answers every connection with `answer`, then closes it. */
  async function withFakeEngine(name: string, answer: string, use: (client: ReturnType<typeof createEngineClient>) => Promise<void>): Promise<void> {
    const socket = path.join(tmp, name);
    const server = net.createServer((connection) => {
      connection.once('data', () => connection.end(answer));
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      await use(createEngineClient(undefined, 'the fake engine', `unix://${socket}`, socket));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it('refuses an answer that is not HTTP, naming what it got', async () => {
    await withFakeEngine('not-http.sock', 'SSH-2.0-OpenSSH_9.2\r\n\r\n', async (client) => {
      await expect(client.inspectImage('anything')).rejects.toThrow('"SSH-2.0-OpenSSH_9.2" is not an HTTP/1.1 status line');
    });
  });

  it('says the engine went away when its answer is cut short', async () => {
    await withFakeEngine('cut-short.sock', 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"Id":', async (client) => {
      await expect(client.inspectImage('anything')).rejects.toThrow(/no Docker engine answers at the fake engine \(ECONNRESET: the engine closed the connection: the connection ended in the middle of the response/);
    });
  });

  it('reports an error status with the engine message, as dockerode does', async () => {
    await withFakeEngine('error.sock', 'HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{"message":"disk is full"}\n', async (client) => {
      await expect(client.inspectImage('anything')).rejects.toMatchObject({ statusCode: 500, message: '(HTTP code 500) disk is full' });
    });
  });
});
