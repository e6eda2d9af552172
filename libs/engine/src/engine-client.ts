/**
 * A small typed client over dockerode for what the workspace asks of the
 * engine: build, tag, inspect, find by label. DOCKER_HOST is honoured the
 * way the docker CLI honours it (docker-modem reads it). Over a unix socket,
 * ping and an image's inspection and history skip dockerode (socket-request.ts).
 * About 300 lines on purpose: the interface and its one implementation read
 * best side by side, each method a few lines and one error mapping.
 */
import type Docker from 'dockerode';
import { existsSync, realpathSync } from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { BuildOutputReader, BuildEvent } from './build-output';
import { BuildFailedError, EngineRequestError, EngineSettingsError, EngineUnavailableError, engineConnectionError } from './errors';
import { collectStream, readProgressLines } from './progress-stream';
import { RequestStatusError, referencePath, socketGet, socketGetJson } from './socket-request';
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

/** What an image's inspection answers, of what is read here. */
interface InspectedImage {
  Id: string;
  Size: number;
  Created: string;
  RepoTags?: string[] | null;
  Config?: { Labels?: Record<string, string> | null } | null;
  RootFS?: { Layers?: string[] };
}

/** An image's history, newest layer first. */
type ImageHistory = Array<{ CreatedBy?: string }>;

function describeStep(what: string, step: { number: number; total: number; instruction: string } | undefined): string {
  return step === undefined ? what : `${what}, at Step ${step.number}/${step.total} (${step.instruction})`;
}

/**
 * The engine the environment names, the way the docker CLI reads it: DOCKER_HOST (unix://, tcp://,
 * ssh://user@host), DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem). A setting
 * no client can be made from is an error that names the variable and the fix.
 */
export function engineFromEnv(env: NodeJS.ProcessEnv = process.env): Docker {
  checkEngineSettings(env);
  const host = env.DOCKER_HOST ?? '';
  try {
    // loaded here, not when this module is: a task process that builds nothing never needs them
    const Dockerode = require('dockerode') as typeof Docker;
    // over a unix socket: an agent that names no TLS server, so Node does not work one out from the
    // host for every connection (its first check compiles Node's IPv6 pattern, 4 ms of every task)
    if (host === '' || host.startsWith('unix://')) {
      const { Agent } = require('node:http') as typeof http;
      return new Dockerode({ agent: new Agent({ keepAlive: true, servername: '' } as http.AgentOptions) } as Docker.DockerOptions);
    }
    return new Dockerode();
  } catch (error) {
    throw new EngineSettingsError(`cannot make a client for the engine at ${describeEngineHost(env)}: ${(error as Error).message}; check DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH`);
  }
}

/** Throws an EngineSettingsError when DOCKER_HOST or DOCKER_CERT_PATH name no engine a client can be made for. */
export function checkEngineSettings(env: NodeJS.ProcessEnv = process.env): void {
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
}

/** The engine's unix socket as the environment names it (DOCKER_HOST unset: the default one); undefined for an engine over TCP or SSH. */
export function engineSocketPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const host = env.DOCKER_HOST ?? '';
  if (host === '') return '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
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

/**
 * The client of the engine the environment names, or of `docker` when given. Over a unix socket the
 * small requests a no-op build makes (ping, an image's inspection and history) go over the socket
 * directly (socket-request.ts); dockerode is made on the first request that needs it.
 */
export function createEngineClient(docker?: Docker, host: string = describeEngineHost(), endpoint: string = engineEndpoint(), socketPath: string | undefined = docker === undefined ? engineSocketPath() : undefined): EngineClient {
  if (docker === undefined) checkEngineSettings();
  let made = docker;
  const dockerode = (): Docker => (made ??= engineFromEnv());
  const unavailable = (error: unknown, during?: string): never => {
    throw engineConnectionError(error, host, during) ?? error;
  };
  const ping = async (): Promise<void> => {
    if (socketPath === undefined) {
      await dockerode().ping();
      return;
    }
    const response = await socketGet(socketPath, '/_ping');
    if (response.status !== 200) throw new RequestStatusError(response.status, response.body.toString('utf8').trim());
  };
  /** After a stream ended early: did the engine go away, or did it end the stream itself? */
  const stillAnswers = async () => ping().then(() => true, () => false);

  return {
    host,
    endpoint,
    async ping() {
      await ping().catch(unavailable);
    },

    async build(context, options, onEvent) {
      const stream = (await dockerode()
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
        const info = socketPath === undefined ? ((await dockerode().getImage(reference).inspect()) as InspectedImage) : await socketGetJson<InspectedImage>(socketPath, `/images/${referencePath(reference)}/json`);
        if (info === undefined) return undefined;
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
      const images = await dockerode().listImages({ all: true, filters: { label: [`${key}=${value}`] } }).catch(unavailable);
      return images.map((image) => image.Id);
    },

    async topInstruction(imageId) {
      try {
        const history = socketPath === undefined ? ((await dockerode().getImage(imageId).history()) as ImageHistory) : await socketGetJson<ImageHistory>(socketPath, `/images/${referencePath(imageId)}/history`);
        return history?.[0]?.CreatedBy;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        return unavailable(error);
      }
    },

    async tagImage(imageId, repository, tag) {
      await dockerode()
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
      const stream = (await dockerode()
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
      const stream = (await dockerode().pull(reference, { authconfig: auth }).catch((error: unknown) => {
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
      await dockerode()
        .getImage(reference)
        .remove({ force: true })
        .catch((error) => {
          if ((error as { statusCode?: number }).statusCode === 404) return;
          return unavailable(error);
        });
    },
  };
}
