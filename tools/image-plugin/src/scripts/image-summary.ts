/**
 * Prints the summary of an image run (IMAGE_RUN_ID) from the build records.
 * The run's image projects come from the list its tasks wrote, or from a
 * JSON file (`nx show projects --with-target image --json`) when given.
 * Usage (through tools/image-plugin/run-script.js, compiled like the executors):
 *   image-summary <wall seconds> [projects.json]
 *   image-summary --wall-from <fifo>: started beside the run, it waits until the wall time is
 *     written to the named pipe, so its start-up overlaps Nx's instead of following it
 * Exits 3, printing nothing, when no task of the run wrote the list and no file is given.
 */
import { readFileSync } from 'node:fs';
import { readBuildRecord, readRunProjects } from '@imgmono/build-records';
import { formatSummary, summariseRun } from '@imgmono/image-build';
import { BuildRecord } from '@imgmono/image-meta';

const NO_PROJECT_LIST = 3;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  // a blocking read of the pipe: nothing else to do until the run is over
  const wall = args[0] === '--wall-from' ? readFileSync(args[1], 'utf8').trim() : args[0];
  const projectsFile = args[0] === '--wall-from' ? args[2] : args[1];
  if (wall === '') return NO_PROJECT_LIST; // the run stopped before it ended
  const root = process.cwd();
  const runId = process.env.IMAGE_RUN_ID;
  const projects =
    projectsFile !== undefined ? (JSON.parse(readFileSync(projectsFile, 'utf8')) as string[]) : runId !== undefined ? await readRunProjects(root, runId) : undefined;
  if (projects === undefined) return NO_PROJECT_LIST;
  const records = new Map<string, BuildRecord>();
  for (const project of projects) {
    const record = await readBuildRecord(root, project).catch(() => undefined);
    if (record !== undefined) records.set(project, record);
  }
  const rows = summariseRun(projects, records, runId);
  console.log(formatSummary(rows, wall !== undefined && wall !== '' ? Number(wall) : undefined).join('\n'));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`image-summary: ${(error as Error).message}`);
    process.exit(2);
  },
);
