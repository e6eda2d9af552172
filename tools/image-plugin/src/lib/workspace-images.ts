/** Which projects of the workspace are images: those with an image target run by this plugin. */
import type { ProjectConfiguration } from '@nx/devkit';

export const IMAGE_EXECUTOR = '@imgmono/image-plugin:image';

export function imageProjectsOf(projects: Record<string, ProjectConfiguration>): Set<string> {
  const names = new Set<string>();
  for (const [name, config] of Object.entries(projects)) {
    if (Object.values(config.targets ?? {}).some((target) => target.executor === IMAGE_EXECUTOR)) names.add(name);
  }
  return names;
}
