/**
 * A small client for the registry HTTP API (distribution v2 / OCI): ping,
 * manifests by tag or digest, tags, blobs, and removing a tag. Basic and
 * bearer-token auth. Idempotent requests are retried on connection errors
 * and 5xx answers; every error names the registry, the request and the
 * registry's own message, never the credentials.
 */
import { createHash } from 'node:crypto';
import { RegistryCredentials } from './credentials';
import { UserError } from '@imgmono/errors';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

export interface Manifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

export class RegistryError extends UserError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class RegistryAuthError extends RegistryError {
  constructor(message: string, status?: number) {
    super(message, status);
  }
}

export interface RegistryClientOptions {
  /** host:port, such as 127.0.0.1:5000 */
  host: string;
  credentials?: RegistryCredentials;
  /** http for loopback registries, https otherwise, unless given. */
  scheme?: 'http' | 'https';
  retries?: number;
  retryDelayMs?: number;
}

export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

export class RegistryClient {
  readonly host: string;
  private readonly base: string;
  private token: string | undefined;

  constructor(private readonly options: RegistryClientOptions) {
    this.host = options.host;
    this.base = `${options.scheme ?? (isLoopbackHost(options.host) ? 'http' : 'https')}://${options.host}`;
  }

  async ping(): Promise<void> {
    await this.request('GET', '/v2/', { expect: [200] });
  }

  async getManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const response = await this.request('GET', `/v2/${repository}/manifests/${reference}`, { expect: [200, 404], headers: { Accept: MANIFEST_TYPES.join(', ') } });
    if (response.status === 404) return undefined;
    const body = Buffer.from(await response.arrayBuffer());
    const digest = response.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
    return { digest, mediaType: (response.headers.get('content-type') ?? MANIFEST_TYPES[1]).split(';')[0], body };
  }

  async putManifest(repository: string, reference: string, manifest: Pick<Manifest, 'mediaType' | 'body'>): Promise<string> {
    const response = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, {
      expect: [201],
      headers: { 'Content-Type': manifest.mediaType },
      body: manifest.body,
    });
    return response.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(manifest.body).digest('hex')}`;
  }

  async listTags(repository: string): Promise<string[]> {
    const response = await this.request('GET', `/v2/${repository}/tags/list`, { expect: [200, 404] });
    if (response.status === 404) return [];
    const json = (await response.json()) as { tags?: string[] | null };
    return [...(json.tags ?? [])].sort();
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const response = await this.request('GET', `/v2/${repository}/blobs/${digest}`, { expect: [200] });
    return Buffer.from(await response.arrayBuffer());
  }

  /** Monolithic upload (POST then PUT). */
  async pushBlob(repository: string, data: Buffer): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const start = await this.request('POST', `/v2/${repository}/blobs/uploads/`, { expect: [202], retry: false });
    const location = start.headers.get('location');
    if (location === null) throw new RegistryError(`${this.host}: blob upload to ${repository} gave no Location`);
    const url = new URL(location, this.base);
    url.searchParams.set('digest', digest);
    await this.request('PUT', url.pathname + url.search, { expect: [201], headers: { 'Content-Type': 'application/octet-stream' }, body: data, retry: false });
    return digest;
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    await this.request('DELETE', `/v2/${repository}/manifests/${digest}`, { expect: [202, 404] });
  }

  /**
   * Removes one tag. Distribution cannot delete a tag, only a manifest by digest, which would
   * also remove every other tag of that manifest; so the tag is first pointed at a small manifest
   * of its own (a tombstone), which is then deleted by digest. The registry needs delete enabled.
   */
  async removeTag(repository: string, tag: string): Promise<void> {
    const config = Buffer.from(JSON.stringify({ tombstone: `${repository}:${tag}`, removed: new Date().toISOString() }));
    const configDigest = await this.pushBlob(repository, config);
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: [],
      }),
    );
    const digest = await this.putManifest(repository, tag, { mediaType: 'application/vnd.oci.image.manifest.v1+json', body });
    try {
      await this.deleteManifest(repository, digest);
    } catch (error) {
      if (error instanceof RegistryError && error.status === 405) {
        throw new RegistryError(`${this.host}: the registry does not allow deletes (storage.delete.enabled): ${repository}:${tag} now points at an empty tombstone manifest instead of being removed`, 405);
      }
      throw error;
    }
  }

  private async request(
    method: string,
    pathAndQuery: string,
    opts: { expect: number[]; headers?: Record<string, string>; body?: Buffer; retry?: boolean },
  ): Promise<Response> {
    const attempts = opts.retry === false ? 1 : (this.options.retries ?? 3);
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        let response = await this.send(method, pathAndQuery, opts);
        if (response.status === 401) {
          await this.authenticate(response, pathAndQuery, method);
          response = await this.send(method, pathAndQuery, opts);
          if (response.status === 401) {
            throw new RegistryAuthError(`${this.host}: ${this.options.credentials ? `the credentials from ${this.options.credentials.from} were refused` : 'authentication required and no credentials were given'} (${method} ${pathAndQuery}); check IMAGE_REGISTRY_USERNAME/PASSWORD or the auths of your docker config.json`, 401);
          }
        }
        if (opts.expect.includes(response.status)) return response;
        const text = await response.text().catch(() => '');
        const tries = attempt > 1 ? ` (${attempt} attempts)` : '';
        const error = new RegistryError(`${this.host}: ${method} ${pathAndQuery} answered ${response.status}${tries}: ${registryMessage(text)}`, response.status);
        if (response.status >= 500 && attempt < attempts) {
          lastError = error;
          await delay((this.options.retryDelayMs ?? 250) * attempt);
          continue;
        }
        throw error;
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        const tries = attempt > 1 ? `, ${attempt} attempts` : '';
        lastError = new RegistryError(
          `${this.host}: the registry does not answer (${method} ${pathAndQuery}: ${describeNetworkError(error)}${tries}): check that it runs and that IMAGE_REGISTRY names it`,
        );
        if (attempt < attempts) {
          await delay((this.options.retryDelayMs ?? 250) * attempt);
          continue;
        }
      }
    }
    throw lastError;
  }

  private send(method: string, pathAndQuery: string, opts: { headers?: Record<string, string>; body?: Buffer }): Promise<Response> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.token !== undefined) headers.Authorization = this.token;
    return fetch(`${this.base}${pathAndQuery}`, { method, headers, body: opts.body, redirect: 'follow' });
  }

  private async authenticate(challenge: Response, pathAndQuery: string, method: string): Promise<void> {
    const header = challenge.headers.get('www-authenticate') ?? '';
    const credentials = this.options.credentials;
    if (credentials === undefined) {
      throw new RegistryAuthError(`${this.host}: authentication required (${method} ${pathAndQuery}) and no credentials were given; set IMAGE_REGISTRY_USERNAME/PASSWORD or docker login`, 401);
    }
    const basic = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    if (/^basic/i.test(header)) {
      this.token = basic;
      return;
    }
    if (/^bearer/i.test(header)) {
      const params = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const url = new URL(params.realm);
      if (params.service) url.searchParams.set('service', params.service);
      if (params.scope) url.searchParams.set('scope', params.scope);
      const response = await fetch(url, { headers: { Authorization: basic } });
      if (!response.ok) throw new RegistryAuthError(`${this.host}: the token service refused the credentials from ${credentials.from} (${response.status})`, response.status);
      const json = (await response.json()) as { token?: string; access_token?: string };
      this.token = `Bearer ${json.token ?? json.access_token}`;
      return;
    }
    throw new RegistryAuthError(`${this.host}: unsupported authentication challenge '${header.split(' ')[0]}'`, 401);
  }
}

function registryMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    if (json.errors?.length) return json.errors.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
  } catch {
    // not JSON: the text itself
  }
  return text.trim().slice(0, 300) || '(no body)';
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${cause.code}${cause.message ? ` (${cause.message})` : ''}` : (error as Error).message;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
