/**
 * A small typed client over dockerode for what the workspace asks of the
 * engine: build, tag, inspect, find by label. DOCKER_HOST is honoured the
 * way the docker CLI honours it (docker-modem reads it). A little over 250
 * lines on purpose: the interface and its one implementation read best side
 * by side, each method a few lines of dockerode and one error mapping.
 */
import Docker from 'dockerode';
import { existsSync, realpathSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { BuildOutputReader, BuildEvent } from './build-output';
import { BuildFailedError, EngineRequestError, EngineSettingsError, EngineUnavailableError, engineConnectionError } from './errors';
import { collectStream, readProgressLines } from './progress-stream';
import { UserError } from '@imgmono/errors';

/** What the engine needs to log in to a registry; sent in a header, never logged. */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

export class RegistryTransferError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

export interface ImageSummary {
  id: string;
  size: number;
  labels: Record<string, string>;
  repoTags: string[];
  created: string;
  /** Layer digests, bottom first. */
  layers: string[];
}

export interface EngineBuildOptions {
  dockerfile: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  networkMode: string;
  target?: string;
  platform?: string;
  /** No layer cache: every step runs again. */
  noCache?: boolean;
  signal?: AbortSignal;
}

export interface EngineClient {
  /** The engine as people read it in messages (DOCKER_HOST=...). */
  readonly host: string;
  /** The engine as one canonical string (see engineEndpoint): what build locks are keyed by. */
  readonly endpoint: string;
  ping(): Promise<void>;
  /** Sends the context, reads every line of the reply, resolves with the new image id or rejects with the engine's error. */
  build(context: Readable, options: EngineBuildOptions, onEvent: (event: BuildEvent) => void): Promise<string>;
  inspectImage(reference: string): Promise<ImageSummary | undefined>;
  findImagesByLabel(key: string, value: string): Promise<string[]>;
  /** The instruction that made the image's top layer (`docker history`, first row). */
  topInstruction(imageId: string): Promise<string | undefined>;
  tagImage(imageId: string, repository: string, tag: string): Promise<void>;
  removeImage(reference: string): Promise<void>;
  /** Pushes repository:tag; resolves with the manifest digest the registry stored. */
  pushImage(repository: string, tag: string, auth?: RegistryAuth): Promise<string>;
  /** Pulls a reference (by digest, for pinning); resolves with the image id. */
  pullImage(reference: string, auth?: RegistryAuth): Promise<string>;
}

function describeStep(what: string, step: { number: number; total: number; instruction: string } | undefined): string {
  return step === undefined ? what : `${what}, at Step ${step.number}/${step.total} (${step.instruction})`;
}

/**
 * The engine the environment names, the way the docker CLI reads it: DOCKER_HOST (unix://, tcp://,
 * ssh://user@host), DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem). A setting
 * no client can be made from is an error that names the variable and the fix.
 */
export function engineFromEnv(env: NodeJS.ProcessEnv = process.env): Docker {
  const host = env.DOCKER_HOST ?? '';
  if (host !== '' && !/^(unix|tcp|ssh|npipe):\/\/\S*$/.test(host)) {
    throw new EngineSettingsError(`DOCKER_HOST=${host} is not an engine address: use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host`);
  }
  const certPath = env.DOCKER_CERT_PATH;
  if (host.startsWith('tcp://') && certPath !== undefined && certPath !== '') {
    const missing = ['ca.pem', 'cert.pem', 'key.pem'].filter((file) => !existsSync(path.join(certPath, file)));
    if (missing.length > 0) {
      throw new EngineSettingsError(`DOCKER_CERT_PATH=${certPath} has no ${missing.join(', ')}: point it at the folder with the engine's CA and this client's certificate and key (as the docker CLI uses them)`);
    }
  }
  try {
    // over a unix socket: an agent that names no TLS server, so Node does not work one out from the
    // host for every connection (its first check compiles Node's IPv6 pattern, 4 ms of every task)
    return host === '' || host.startsWith('unix://') ? new Docker({ agent: new http.Agent({ keepAlive: true, servername: '' } as http.AgentOptions) } as Docker.DockerOptions) : new Docker();
  } catch (error) {
    throw new EngineSettingsError(`cannot make a client for the engine at ${describeEngineHost(env)}: ${(error as Error).message}; check DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH`);
  }
}

export function describeEngineHost(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST && env.DOCKER_HOST !== '' ? `DOCKER_HOST=${env.DOCKER_HOST}` : 'unix:///var/run/docker.sock (DOCKER_HOST is not set)';
}

/**
 * The engine as one canonical string, the same for every process that talks to it from this
 * machine: DOCKER_HOST (or the default socket), a unix socket by its real path. Locks that must
 * hold for everyone using one engine are keyed by it.
 */
export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST && env.DOCKER_HOST !== '' ? env.DOCKER_HOST : 'unix:///var/run/docker.sock';
  if (!host.startsWith('unix://')) return host;
  const socket = host.slice('unix://'.length);
  try {
    return `unix://${realpathSync(socket)}`;
  } catch {
    return host;
  }
}

export function createEngineClient(docker: Docker = engineFromEnv(), host: string = describeEngineHost(), endpoint: string = engineEndpoint()): EngineClient {
  const unavailable = (error: unknown, during?: string): never => {
    throw engineConnectionError(error, host, during) ?? error;
  };
  /** After a stream ended early: did the engine go away, or did it end the stream itself? */
  const stillAnswers = async () => docker.ping().then(() => true, () => false);

  return {
    host,
    endpoint,
    async ping() {
      await docker.ping().catch(unavailable);
    },

    async build(context, options, onEvent) {
      const stream = (await docker
        .buildImage(context as unknown as NodeJS.ReadableStream, {
          dockerfile: options.dockerfile,
          buildargs: options.buildArgs,
          labels: options.labels,
          networkmode: options.networkMode,
          target: options.target,
          platform: options.platform,
          rm: true,
          forcerm: true,
          nocache: options.noCache ?? false,
          abortSignal: options.signal,
        } as Docker.ImageBuildOptions)
        .catch(unavailable)) as NodeJS.ReadableStream;
      const reader = new BuildOutputReader();
      await new Promise<void>((resolve, reject) => {
        const deliver = (events: BuildEvent[]) => events.forEach(onEvent);
        stream.on('data', (chunk: Buffer) => deliver(reader.push(chunk)));
        stream.on('end', () => {
          deliver(reader.end());
          resolve();
        });
        stream.on('error', (error: Error) => reject(error));
        context.on('error', (error: Error) => {
          (stream as unknown as { destroy?: (e: Error) => void }).destroy?.(error);
          reject(error);
        });
      }).catch((error) => {
        if (error instanceof BuildFailedError) throw error;
        if ((error as Error).name === 'AbortError') throw new BuildFailedError('build interrupted', reader.currentStep);
        unavailable(error, describeStep('the build', reader.currentStep));
      });
      if (reader.error !== undefined) throw new BuildFailedError(reader.error.message, reader.error.step);
      if (reader.imageId === undefined) {
        if (!(await stillAnswers())) throw new EngineUnavailableError(host, 'the build stream ended early', describeStep('the build', reader.currentStep));
        throw new BuildFailedError('the engine ended the build without an error and without an image id (was it stopped?)', reader.currentStep);
      }
      const inspected = await this.inspectImage(reader.imageId);
      if (inspected === undefined) throw new BuildFailedError(`the engine reported image ${reader.imageId}, which it does not hold`);
      return inspected.id;
    },

    async inspectImage(reference) {
      try {
        const info = await docker.getImage(reference).inspect();
        return {
          id: info.Id,
          size: info.Size,
          labels: info.Config?.Labels ?? {},
          repoTags: info.RepoTags ?? [],
          created: info.Created,
          layers: info.RootFS?.Layers ?? [],
        };
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        return unavailable(error);
      }
    },

    async findImagesByLabel(key, value) {
      // all: an untagged image with children counts as intermediate and is hidden otherwise
      const images = await docker.listImages({ all: true, filters: { label: [`${key}=${value}`] } }).catch(unavailable);
      return images.map((image) => image.Id);
    },

    async topInstruction(imageId) {
      try {
        const history = (await docker.getImage(imageId).history()) as Array<{ CreatedBy?: string }>;
        return history[0]?.CreatedBy;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        return unavailable(error);
      }
    },

    async tagImage(imageId, repository, tag) {
      await docker
        .getImage(imageId)
        .tag({ repo: repository, tag })
        .catch((error) => {
          if ((error as { statusCode?: number }).statusCode !== undefined) {
            throw new EngineRequestError(`tagging ${imageId} as ${repository}:${tag} failed: ${(error as Error).message}`);
          }
          return unavailable(error);
        });
    },

    async pushImage(repository, tag, auth) {
      const stream = (await docker
        .getImage(`${repository}:${tag}`)
        .push({ tag, authconfig: auth } as Docker.ImagePushOptions)
        .catch((error) => {
          if ((error as { statusCode?: number }).statusCode !== undefined) {
            throw new RegistryTransferError(`push of ${repository}:${tag} refused by the engine: ${(error as Error).message}`);
          }
          return unavailable(error);
        })) as NodeJS.ReadableStream;
      const result = readProgressLines(await collectStream(stream).catch(unavailable));
      if (result.error !== undefined) throw new RegistryTransferError(`push of ${repository}:${tag} failed: ${result.error}`);
      const digest = result.aux.map((aux) => aux.Digest).find((value) => typeof value === 'string') as string | undefined;
      if (digest === undefined) throw new RegistryTransferError(`push of ${repository}:${tag} ended without a digest (was the engine stopped?)`);
      return digest;
    },

    async pullImage(reference, auth) {
      const stream = (await docker.pull(reference, { authconfig: auth }).catch((error: unknown) => {
        if ((error as { statusCode?: number }).statusCode !== undefined) {
          throw new RegistryTransferError(`pull of ${reference} failed: ${(error as Error).message}`);
        }
        return unavailable(error);
      })) as NodeJS.ReadableStream;
      const result = readProgressLines(await collectStream(stream).catch(unavailable));
      if (result.error !== undefined) throw new RegistryTransferError(`pull of ${reference} failed: ${result.error}`);
      const info = await this.inspectImage(reference);
      if (info === undefined) throw new RegistryTransferError(`pull of ${reference} finished, but the engine does not hold it`);
      return info.id;
    },

    async removeImage(reference) {
      await docker
        .getImage(reference)
        .remove({ force: true })
        .catch((error) => {
          if ((error as { statusCode?: number }).statusCode === 404) return;
          return unavailable(error);
        });
    },
  };
}
