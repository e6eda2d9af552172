/** The files a check or a service copies into its container: container path -> bytes of the workspace file. */
import type { ContainerFile } from '@imgmono/engine';

export async function readFiles(files: Record<string, string>, read: (relative: string) => Promise<Buffer>): Promise<ContainerFile[]> {
  const out: ContainerFile[] = [];
  for (const [target, source] of Object.entries(files)) out.push({ path: target, content: await read(source), mode: 0o755 });
  return out;
}
