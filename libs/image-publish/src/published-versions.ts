/** What a registry already holds under moving tags: the version label of the image each points at. */
import { LABEL } from '@imgmono/image-meta';
import { RegistryClient } from '@imgmono/registry';

export async function publishedVersion(registry: RegistryClient, repository: string, tag: string): Promise<string | undefined> {
  const manifest = await registry.getManifest(repository, tag);
  if (manifest === undefined) return undefined;
  const json = JSON.parse(manifest.body.toString('utf8')) as { config?: { digest?: string } };
  if (json.config?.digest === undefined) return undefined;
  const config = JSON.parse((await registry.getBlob(repository, json.config.digest)).toString('utf8')) as { config?: { Labels?: Record<string, string> } };
  return config.config?.Labels?.[LABEL.version];
}
