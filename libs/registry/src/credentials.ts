/**
 * Registry credentials, read the way the docker CLI reads them: an
 * environment override for CI (IMAGE_REGISTRY_USERNAME and
 * IMAGE_REGISTRY_PASSWORD), else `auths` in $DOCKER_CONFIG/config.json
 * (default ~/.docker/config.json). Values are never printed: errors name the
 * file and the registry, never the secret.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '@imgmono/errors';

export interface RegistryCredentials {
  username: string;
  password: string;
  /** Where they came from, for messages: 'IMAGE_REGISTRY_USERNAME/PASSWORD' or the config file. */
  from: string;
}

export class CredentialsError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

/** Pure: the credentials a docker config.json holds for a registry host, if any. */
export function credentialsFromDockerConfig(text: string, file: string, host: string): RegistryCredentials | undefined {
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }>; credsStore?: string; credHelpers?: Record<string, string> };
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new CredentialsError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const keys = [host, `http://${host}`, `https://${host}`, `http://${host}/v2/`, `https://${host}/v2/`];
  const entry = keys.map((key) => config.auths?.[key]).find((value) => value !== undefined);
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new CredentialsError(`${file}: the "auth" of ${host} is not base64 of "user:password"`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), from: file };
  }
  if (entry?.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password, from: file };
  const helper = config.credHelpers?.[host] ?? (entry === undefined ? undefined : config.credsStore);
  if (helper !== undefined) {
    throw new CredentialsError(`${file}: credentials for ${host} are kept by the credential helper "${helper}", which this tool does not call; set IMAGE_REGISTRY_USERNAME and IMAGE_REGISTRY_PASSWORD instead`);
  }
  return undefined;
}

export async function readRegistryCredentials(host: string, env: NodeJS.ProcessEnv = process.env): Promise<RegistryCredentials | undefined> {
  const username = env.IMAGE_REGISTRY_USERNAME;
  const password = env.IMAGE_REGISTRY_PASSWORD;
  if (username !== undefined || password !== undefined) {
    if (!username || password === undefined) throw new CredentialsError('set both IMAGE_REGISTRY_USERNAME and IMAGE_REGISTRY_PASSWORD, or neither');
    return { username, password, from: 'IMAGE_REGISTRY_USERNAME/PASSWORD' };
  }
  const file = path.join(env.DOCKER_CONFIG || path.join(os.homedir(), '.docker'), 'config.json');
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : credentialsFromDockerConfig(text, file, host);
}
