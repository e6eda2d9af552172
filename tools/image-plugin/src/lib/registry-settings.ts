/**
 * The run's registry and change context, from the environment:
 * IMAGE_REGISTRY (host:port), credentials (IMAGE_REGISTRY_USERNAME/PASSWORD
 * or the docker config), IMAGE_CHANGE, IMAGE_PATCHSET, IMAGE_BUILDSET,
 * IMAGE_BRANCH, IMAGE_RELEASE.
 */
import type { RegistryAuth } from '@imgmono/engine';
import { RegistryClient, readRegistryCredentials } from '@imgmono/registry';
import type { TagContext } from '@imgmono/tags';
import { ExecutorInputError } from './report-failure';

export const DEFAULT_TAG_RULES = ['{{version}}', '{{major}}.{{minor}}', '{{major}}', 'latest', 'change_{{change}}', 'change_{{change}}_{{tag}}'];

export interface RunRegistry {
  client: RegistryClient;
  auth?: RegistryAuth;
}

export async function registryFromEnv(env: NodeJS.ProcessEnv, override?: string): Promise<RunRegistry | undefined> {
  const host = override ?? env.IMAGE_REGISTRY;
  if (host === undefined || host === '') return undefined;
  if (!/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-f:]+\](:\d+)?$/.test(host)) {
    throw new ExecutorInputError(`IMAGE_REGISTRY=${host} is not host[:port], such as 127.0.0.1:5000`);
  }
  const credentials = await readRegistryCredentials(host, env);
  return {
    client: new RegistryClient({ host, credentials }),
    auth: credentials ? { username: credentials.username, password: credentials.password, serveraddress: host } : undefined,
  };
}

export function tagContextFromEnv(env: NodeJS.ProcessEnv): TagContext {
  const value = (name: string) => (env[name] !== undefined && env[name] !== '' ? env[name] : undefined);
  return {
    release: env.IMAGE_RELEASE === 'true',
    change: value('IMAGE_CHANGE'),
    patchset: value('IMAGE_PATCHSET'),
    buildset: value('IMAGE_BUILDSET'),
    branch: value('IMAGE_BRANCH'),
  };
}
