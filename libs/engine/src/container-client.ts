/**
 * Containers for tests, through dockerode: run a command to completion with a
 * time limit, read a path of an image without running it, and start
 * long-running services that tests exec into. Every container carries the
 * caller's labels and is removed by the caller's `finally` (or by
 * removeLabelled), also on time-outs and interrupts. DOCKER_HOST is honoured.
 */
import Docker from 'dockerode';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { packContext } from '@imgmono/build-context';
import { demuxContainerOutput, permissionString } from './container-output';
import { engineConnectionError } from './errors';
import { describeEngineHost, engineFromEnv } from './engine-client';

export interface ContainerFile {
  /** Absolute path in the container. */
  path: string;
  content: Buffer;
  mode: number;
}

export interface ContainerSpec {
  image: string;
  command: string[];
  /** Replaces the image's entrypoint; default: none, so the command runs as is. */
  entrypoint?: string[];
  env?: Record<string, string>;
  /** The user to run as; default: the image's. */
  user?: string;
  labels: Record<string, string>;
  /** `none`, `host`, or `container:<id>` to share another container's network namespace. */
  networkMode: string;
  files?: ContainerFile[];
  /** Volumes mounted into the container (a scenario's shared folder). */
  mounts?: Array<{ volume: string; path: string }>;
  name?: string;
}

export interface RunOutcome {
  exitCode: number;
  output: string;
  timedOut: boolean;
  seconds: number;
}

export interface PathInImage {
  type: string;
  permissions: string;
  uid: number;
  gid: number;
  /** The start of a file's content (up to 1 MB); undefined for directories. */
  content?: Buffer;
}

export interface RunningService {
  id: string;
  /** Runs a command in the service container; the outcome says whether it succeeded in time. */
  exec(command: string[], timeoutMs: number): Promise<RunOutcome>;
  running(): Promise<boolean>;
  logs(tailLines: number): Promise<string>;
  remove(): Promise<void>;
}

export interface ContainerClient {
  run(spec: ContainerSpec, timeoutMs: number, signal?: AbortSignal): Promise<RunOutcome>;
  readPath(image: string, path: string, labels: Record<string, string>): Promise<PathInImage | undefined>;
  startService(spec: ContainerSpec): Promise<RunningService>;
  /** Containers (running or not) with this label value, with all their labels; for clean-up. */
  listLabelled(key: string, value: string): Promise<Array<{ id: string; labels: Record<string, string> }>>;
  remove(id: string): Promise<void>;
  removeLabelled(key: string, value: string): Promise<number>;
  /** A new, empty volume carrying these labels; its name. */
  createVolume(labels: Record<string, string>): Promise<string>;
  removeVolume(name: string): Promise<void>;
  /** Volumes with this label value, with all their labels; for clean-up. */
  listLabelledVolumes(key: string, value: string): Promise<Array<{ name: string; labels: Record<string, string> }>>;
}

const CONTENT_LIMIT = 1 << 20;

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

/** The first entry of a tar stream (the path asked for): its header, and the start of its content. */
async function firstEntry(archive: Readable): Promise<PathInImage | undefined> {
  const parser = extract();
  return new Promise<PathInImage | undefined>((resolve, reject) => {
    let done = false;
    parser.on('entry', (header, stream, next) => {
      if (done) {
        stream.resume();
        next();
        return;
      }
      done = true;
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        if (size < CONTENT_LIMIT) chunks.push(chunk);
        size += chunk.length;
      });
      stream.on('end', () => {
        resolve({
          type: header.type ?? 'file',
          permissions: permissionString(header.type ?? 'file', header.mode ?? 0),
          uid: header.uid ?? 0,
          gid: header.gid ?? 0,
          content: header.type === 'file' ? Buffer.concat(chunks).subarray(0, CONTENT_LIMIT) : undefined,
        });
        archive.destroy();
      });
    });
    parser.on('finish', () => resolve(undefined));
    parser.on('error', (error) => (done ? resolve(undefined) : reject(error)));
    archive.on('error', (error) => (done ? undefined : reject(error)));
    archive.pipe(parser);
  });
}
