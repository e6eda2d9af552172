/**
 * Which images a Dockerfile builds on, split into workspace parents (pinned
 * to the image their own target produced) and outside images. Pure.
 */
import { ParsedDockerfile, imageReferences, repositoryOf, resolveStages, Stage } from '@imgmono/dockerfile';

export interface ParentPlan {
  /** Every stage of the Dockerfile (all are pinned, even past a target). */
  allStages: Stage[];
  /** The stages that the build runs: all, or up to the target. */
  stages: Stage[];
  /** Workspace image projects the Dockerfile uses, in order of first use. */
  workspaceParents: string[];
  /** Images from outside the workspace (not `scratch`), with the line that names them. */
  externalImages: Array<{ image: string; line: number }>;
  /** The final stage's base when it is an outside image. */
  externalBase?: string;
  /** Findings that stop the build: each names the Dockerfile line and the fix. */
  problems: string[];
}

export interface ParentPlanInput {
  dockerfile: ParsedDockerfile;
  /** How messages name the Dockerfile (`images/opendev/openstacksdk/Dockerfile`). */
  dockerfileLabel: string;
  /** How messages name the project file. */
  projectFileLabel: string;
  buildArgs: Record<string, string>;
  target?: string;
  workspaceImages: ReadonlySet<string>;
  declaredParents: readonly string[];
}

export function planParents(input: ParentPlanInput): ParentPlan {
  const allStages = resolveStages(input.dockerfile, input.buildArgs);
  const problems: string[] = [];
  let stages = allStages;
  if (input.target !== undefined) {
    const at = allStages.findIndex((stage) => stage.name === input.target!.toLowerCase());
    if (at < 0) problems.push(`${input.dockerfileLabel}: target stage '${input.target}' is not defined (stages: ${allStages.map((s) => s.name ?? s.index).join(', ')})`);
    else stages = allStages.slice(0, at + 1);
  }
  const workspaceParents: string[] = [];
  const externalImages: Array<{ image: string; line: number }> = [];
  for (const ref of imageReferences(input.dockerfile, stages)) {
    const repository = repositoryOf(ref.image);
    if (input.workspaceImages.has(repository)) {
      if (!input.declaredParents.includes(repository)) {
        problems.push(
          `${input.dockerfileLabel}:${ref.line}: ${ref.via} ${ref.image} is a workspace image missing from implicitDependencies in ${input.projectFileLabel}: add "${repository}" there so Nx builds it first`,
        );
      }
      if (!workspaceParents.includes(repository)) workspaceParents.push(repository);
    } else {
      externalImages.push({ image: ref.image, line: ref.line });
    }
  }
  const last = stages[stages.length - 1];
  let root = last;
  while (root.fromStage !== undefined) root = stages[root.fromStage];
  const externalBase =
    !input.workspaceImages.has(repositoryOf(root.image)) && root.image.toLowerCase() !== 'scratch' ? root.image : undefined;
  // Keep the final stage's base last: it is what base.name / base.digest describe.
  const baseRepository = repositoryOf(root.image);
  if (workspaceParents.includes(baseRepository)) {
    workspaceParents.splice(workspaceParents.indexOf(baseRepository), 1);
    workspaceParents.push(baseRepository);
  }
  return { allStages, stages, workspaceParents, externalImages, externalBase, problems };
}
