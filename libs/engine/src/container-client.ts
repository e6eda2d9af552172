/**
 * Containers for tests, through dockerode: run a command to completion with a
 * time limit, read a path of an image without running it, and start
 * long-running services that tests exec into. Every container carries the
 * caller's labels and is removed by the caller's `finally` (or by
 * removeLabelled), also on time-outs and interrupts. DOCKER_HOST is honoured.
 */
import type Docker from 'dockerode';
import { Readable } from 'node:stream';
import { packContext } from '@imgmono/build-context';
import { demuxContainerOutput } from './container-output';
import { ContainerClient, ContainerSpec } from './container-types';
import { describeEngineHost, engineFromEnv } from './engine-client';
import { engineConnectionError } from './errors';
import { firstEntry } from './image-path-reader';


export function createContainerClient(docker: Docker = engineFromEnv(), host: string = describeEngineHost()): ContainerClient {
  const engineError = (error: unknown): never => {
    throw engineConnectionError(error, host) ?? error;
  };

  const create = async (spec: ContainerSpec) => {
    const container = await docker
      .createContainer({
        name: spec.name,
        Image: spec.image,
        Cmd: spec.command,
        Entrypoint: spec.entrypoint ?? [],
        Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
        User: spec.user,
        Labels: spec.labels,
        HostConfig: {
          NetworkMode: spec.networkMode,
          AutoRemove: false,
          Init: false,
          Mounts: (spec.mounts ?? []).map((mount) => ({ Type: 'volume' as const, Source: mount.volume, Target: mount.path })),
          CapAdd: spec.capAdd,
          Devices: spec.devices?.map((device) => ({ PathOnHost: device, PathInContainer: device, CgroupPermissions: 'rwm' })),
        },
      })
      .catch(engineError);
    if (spec.files !== undefined && spec.files.length > 0) {
      const tar = packContext(
        spec.files.map((file) => ({ kind: 'content' as const, path: file.path.replace(/^\/+/, ''), mode: file.mode, content: file.content })),
      );
      await container.putArchive(tar as unknown as NodeJS.ReadableStream, { path: '/' }).catch(async (error: Error) => {
        await container.remove({ force: true }).catch(() => undefined);
        throw new Error(`copying files into a container of ${spec.image} failed: ${error.message}`);
      });
    }
    return container;
  };

  const logsOf = async (container: Docker.Container, tail?: number) => {
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false, tail })) as unknown as Buffer;
    return demuxContainerOutput(raw);
  };

  return {
    async run(spec, timeoutMs, signal) {
      const started = Date.now();
      const container = await create(spec);
      try {
        await container.start();
        let timedOut = false;
        let timer: NodeJS.Timeout | undefined;
        const stop = () => container.kill().catch(() => undefined);
        const onAbort = () => void stop();
        signal?.addEventListener('abort', onAbort);
        const limit = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            timedOut = true;
            void stop().then(() => resolve());
          }, timeoutMs);
        });
        try {
          await Promise.race([container.wait(), limit]);
          if (timedOut) await container.wait().catch(() => undefined);
        } finally {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        }
        const state = (await container.inspect()).State;
        return { exitCode: state.ExitCode, output: await logsOf(container), timedOut, seconds: (Date.now() - started) / 1000 };
      } finally {
        await container.remove({ force: true }).catch(() => undefined);
      }
    },

    async readPath(image, path, labels) {
      const container = await create({ image, command: ['/nonexistent-never-started'], labels, networkMode: 'none' });
      try {
        let archive: NodeJS.ReadableStream;
        try {
          archive = (await container.getArchive({ path })) as NodeJS.ReadableStream;
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode === 404) return undefined;
          throw error;
        }
        return await firstEntry(archive as unknown as Readable);
      } finally {
        await container.remove({ force: true }).catch(() => undefined);
      }
    },

    async startService(spec) {
      const container = await create(spec);
      const remove = () => container.remove({ force: true }).then(() => undefined, () => undefined);
      try {
        await container.start();
      } catch (error) {
        await remove();
        throw error;
      }
      return {
        id: container.id,
        async exec(command, timeoutMs) {
          const started = Date.now();
          const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
          const stream = (await exec.start({ hijack: true, stdin: false })) as unknown as Readable;
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          let timedOut = false;
          await Promise.race([
            new Promise((resolve) => stream.on('end', resolve).on('close', resolve).on('error', resolve)),
            new Promise((resolve) => setTimeout(resolve, timeoutMs)).then(() => (timedOut = true)),
          ]);
          stream.destroy();
          const info = await exec.inspect();
          return { exitCode: info.ExitCode ?? -1, output: demuxContainerOutput(Buffer.concat(chunks)), timedOut: timedOut && info.Running, seconds: (Date.now() - started) / 1000 };
        },
        async running() {
          return (await container.inspect().catch(() => undefined))?.State.Running ?? false;
        },
        logs: (tail) => logsOf(container, tail).catch((error: Error) => `(logs unavailable: ${error.message})`),
        remove,
      };
    },

    async listLabelled(key, value) {
      const containers = await docker.listContainers({ all: true, filters: { label: [`${key}=${value}`] } }).catch(engineError);
      return containers.map((container) => ({ id: container.Id, labels: container.Labels ?? {} }));
    },

    async remove(id) {
      await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    },

    async removeLabelled(key, value) {
      const found = await this.listLabelled(key, value);
      for (const { id } of found) await this.remove(id);
      return found.length;
    },

    async createVolume(labels) {
      // dockerode answers with a Volume handle, not the engine's JSON
      const volume = (await docker.createVolume({ Labels: labels }).catch(engineError)) as unknown as { name: string };
      return volume.name;
    },

    async removeVolume(name) {
      await docker.getVolume(name).remove({ force: true }).catch(() => undefined);
    },

    async listLabelledVolumes(key, value) {
      const listed = (await docker.listVolumes({ filters: { label: [`${key}=${value}`] } }).catch(engineError)) as {
        Volumes?: Array<{ Name: string; Labels?: Record<string, string> | null }> | null;
      };
      return (listed.Volumes ?? []).map((volume) => ({ name: volume.Name, labels: volume.Labels ?? {} }));
    },
  };
}
