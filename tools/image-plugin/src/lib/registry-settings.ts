/**
 * The run's registry, from the run's settings: IMAGE_REGISTRY (host:port)
 * and credentials (IMAGE_REGISTRY_USERNAME/PASSWORD, or the docker config's).
 */
import type { RegistryAuth } from '@imgmono/engine';
import { RegistryClient, readRegistryCredentials } from '@imgmono/registry';
import type { RunSettings } from './run-settings';
import { ExecutorInputError } from './report-failure';

export const DEFAULT_TAG_RULES = ['{{version}}', '{{major}}.{{minor}}', '{{major}}', 'latest', 'change_{{change}}', 'change_{{change}}_{{tag}}'];

export interface RunRegistry {
  client: RegistryClient;
  auth?: RegistryAuth;
}

export async function registryFrom(settings: RunSettings, override?: string): Promise<RunRegistry | undefined> {
  const host = override ?? settings.registry;
  if (host === undefined || host === '') return undefined;
  if (!/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-f:]+\](:\d+)?$/.test(host)) {
    throw new ExecutorInputError(`IMAGE_REGISTRY=${host} is not host[:port], such as 127.0.0.1:5000`);
  }
  const credentials = await readRegistryCredentials(host, settings.env);
  return {
    client: new RegistryClient({ host, credentials }),
    auth: credentials ? { username: credentials.username, password: credentials.password, serveraddress: host } : undefined,
  };
}
