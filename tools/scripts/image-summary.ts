/**
 * Prints the summary of an image run from the build records.
 * Usage: image-summary.ts <projects.json> [wall seconds]; IMAGE_RUN_ID selects the run.
 */
import { readFileSync } from 'node:fs';
import { BuildRecord } from '@imgmono/image-meta';
import { readBuildRecord } from '@imgmono/build-records';
import { formatSummary, summariseRun } from '@imgmono/image-build';

async function main(): Promise<void> {
  const [projectsFile, wall] = process.argv.slice(2);
  const projects = JSON.parse(readFileSync(projectsFile, 'utf8')) as string[];
  const root = process.cwd();
  const records = new Map<string, BuildRecord>();
  for (const project of projects) {
    const record = await readBuildRecord(root, project).catch(() => undefined);
    if (record !== undefined) records.set(project, record);
  }
  const rows = summariseRun(projects, records, process.env.IMAGE_RUN_ID);
  console.log(formatSummary(rows, wall !== undefined ? Number(wall) : undefined).join('\n'));
}

main().catch((error) => {
  console.error(`image-summary: ${(error as Error).message}`);
  process.exit(2);
});
