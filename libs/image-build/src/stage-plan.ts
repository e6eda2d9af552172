/**
 * Stage 1, plan: the project's name and tags, its Dockerfile read and parsed,
 * the parents it names (workspace images and outside ones) and the build
 * policy. Everything a user can get wrong in the files is found here, before
 * the engine is asked anything.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DockerfileSyntaxError, ParsedDockerfile, parseDockerfile } from '@imgmono/dockerfile';
import { imageNameProblem } from '@imgmono/graph-check';
import { isValidTag } from '@imgmono/tags';
import { buildPolicyProblems } from './build-policy';
import type { BuildScope } from './build-request';
import { ParentPlan, planParents } from './image-parents';

export interface PlannedBuild {
  /** The image's folder on disk. */
  folder: string;
  /** How messages name the Dockerfile: `images/opendev/python-base/Dockerfile`. */
  dockerfileLabel: string;
  /** The Dockerfile's path in the context, `/`-separated. */
  dockerfilePath: string;
  dockerfileText: string;
  parsed: ParsedDockerfile;
  parents: ParentPlan;
}

export async function planStage({ request, fail }: BuildScope): Promise<PlannedBuild> {
  const folder = path.join(request.workspaceRoot, request.projectRoot);
  const dockerfileLabel = `${request.projectRoot}/${request.dockerfile}`;
  const nameProblem = imageNameProblem(request.project);
  if (nameProblem !== undefined) fail(`the project name ${nameProblem}: rename the project and its folder (${request.projectFile}) to a valid image name`);
  for (const tag of request.tags) {
    if (!isValidTag(tag)) fail(`tag '${tag}' is not a valid image tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-'): fix the image target's "tags" option`);
  }
  const dockerfileText = await fs.readFile(path.join(folder, request.dockerfile), 'utf8').catch((error: NodeJS.ErrnoException) =>
    fail(
      error.code === 'ENOENT'
        ? `${dockerfileLabel} does not exist: every image project needs a Dockerfile (create one, or set the image target's "dockerfile" option)`
        : `${dockerfileLabel} cannot be read: ${error.message}`,
    ),
  );
  if (dockerfileText.trim() === '') fail(`${dockerfileLabel} is empty: it needs at least a FROM instruction`);
  let parsed: ParsedDockerfile;
  let parents: ParentPlan;
  try {
    parsed = parseDockerfile(dockerfileText);
    parents = planParents({
      dockerfile: parsed,
      dockerfileLabel,
      projectFileLabel: request.projectFile,
      buildArgs: request.buildArgs,
      target: request.target,
      workspaceImages: request.workspaceImages,
      declaredParents: request.declaredParents,
    });
  } catch (error) {
    if (error instanceof DockerfileSyntaxError) fail(`${dockerfileLabel}:${error.line}: ${error.message}`);
    throw error;
  }
  const policy = buildPolicyProblems({
    dockerfile: parsed,
    dockerfileLabel,
    projectFileLabel: request.projectFile,
    buildArgs: request.buildArgs,
    secrets: request.secrets ?? [],
    secretValues: request.secretValues ?? [],
  });
  if (parents.problems.length + policy.length > 0) fail([...parents.problems, ...policy].join('\n'));
  return { folder, dockerfileLabel, dockerfilePath: request.dockerfile.split(path.sep).join('/'), dockerfileText, parsed, parents };
}
