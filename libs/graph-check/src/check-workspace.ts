/**
 * The graph check: nothing but this stops implicitDependencies drifting
 * from the Dockerfiles. Every finding names the file and line, the rule and
 * the fix. Pure: a workspace model in, findings out.
 */
import { DockerfileSyntaxError, imageReferences, parseDockerfile, repositoryOf, resolveStages } from '@imgmono/dockerfile';
import { imageNameProblem } from './image-reference';
import { NamespaceRules, NamespaceRulesError, namespaceOf, parseNamespaceRules } from './namespace-rules';
import { ImageProjectModel, WorkspaceModel } from '@imgmono/workspace';

export type RuleId =
  | 'namespaces-file'
  | 'name-folder'
  | 'image-name'
  | 'dockerfile'
  | 'from-undeclared'
  | 'dependency-unused'
  | 'dependency-kind'
  | 'source-unknown'
  | 'source-undeclared'
  | 'source-unused'
  | 'source-invalid'
  | 'namespace-undeclared'
  | 'namespace-base'
  | 'namespace-crossing'
  | 'cycle';

export interface Finding {
  file: string;
  line: number;
  rule: RuleId;
  message: string;
  fix: string;
}

export function formatFinding(finding: Finding): string {
  return `${finding.file}:${finding.line}: [${finding.rule}] ${finding.message}; fix: ${finding.fix}`;
}

/** The workspace parents an image's Dockerfile uses (FROM and COPY --from), with lines. */
export function dockerfileParents(image: ImageProjectModel, workspaceImages: ReadonlySet<string>): Array<{ name: string; line: number; via: string }> {
  if (image.dockerfileText === undefined) return [];
  const parsed = parseDockerfile(image.dockerfileText);
  return imageReferences(parsed, resolveStages(parsed))
    .filter((ref) => workspaceImages.has(repositoryOf(ref.image)))
    .map((ref) => ({ name: repositoryOf(ref.image), line: ref.line, via: `${ref.via} ${ref.image}` }));
}

/**
 * Source checkouts a Dockerfile copies: all of `.zuul-siblings/`, or one by its canonical name
 * (`COPY .zuul-siblings/opendev.org/zuul/nodepool ...`), with lines.
 */
export function dockerfileSourceMentions(text: string): { all: boolean; named: Array<{ path: string; line: number }> } {
  const named: Array<{ path: string; line: number }> = [];
  let all = false;
  for (const instruction of parseDockerfile(text).instructions) {
    if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') continue;
    for (const match of instruction.args.matchAll(/(?:^|\s|")\.?\/?\.zuul-siblings(?:\/([^\s"]*))?/g)) {
      const rest = (match[1] ?? '').replace(/\/+$/, '');
      if (rest === '' || rest === '*') all = true;
      else named.push({ path: rest, line: instruction.line });
    }
  }
  return { all, named };
}

/** The source whose checkout a `.zuul-siblings/<path>` names: its canonical name is the path or a folder above it. */
function sourceAt(model: WorkspaceModel, mentioned: string): string | undefined {
  for (const [name, source] of model.sources) {
    if (source.zuulProject !== undefined && (mentioned === source.zuulProject || mentioned.startsWith(`${source.zuulProject}/`))) return name;
  }
  return undefined;
}

/** 1-based line of the first `"needle"` after `"key"` in a JSON text, else of the key, else 1. */
export function jsonLine(text: string, key: string, needle?: string): number {
  const keyAt = text.indexOf(`"${key}"`);
  if (keyAt < 0) return 1;
  const at = needle === undefined ? keyAt : text.indexOf(`"${needle}"`, keyAt);
  return text.slice(0, at < 0 ? keyAt : at).split('\n').length;
}

export function checkWorkspace(model: WorkspaceModel, only?: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  const add = (finding: Finding) => findings.push(finding);
  const workspaceImages = new Set(model.images.keys());

  let rules: NamespaceRules | undefined;
  if (model.namespacesText === undefined) {
    add({ file: model.namespacesFile, line: 1, rule: 'namespaces-file', message: 'the workspace has no namespace rules', fix: `create ${model.namespacesFile} ({"namespaces": {...}}) or run 'nx g @imgmono/image-plugin:namespace <name>'` });
  } else {
    try {
      rules = parseNamespaceRules(model.namespacesText, model.namespacesFile);
    } catch (error) {
      if (!(error instanceof NamespaceRulesError)) throw error;
      add({ file: model.namespacesFile, line: 1, rule: 'namespaces-file', message: error.message.replace(`${model.namespacesFile}: `, ''), fix: `correct ${model.namespacesFile}` });
    }
  }

  // Parents from the Dockerfiles: the truth the graph must match.
  const parentsOf = new Map<string, Array<{ name: string; line: number; via: string }>>();
  for (const image of model.images.values()) {
    try {
      parentsOf.set(image.name, dockerfileParents(image, workspaceImages));
    } catch (error) {
      parentsOf.set(image.name, []);
      if (error instanceof DockerfileSyntaxError && (only === undefined || only.has(image.name))) {
        add({ file: `${image.root}/${image.dockerfile}`, line: error.line, rule: 'dockerfile', message: error.message, fix: 'correct the Dockerfile' });
      } else if (!(error instanceof DockerfileSyntaxError)) throw error;
    }
  }

  for (const image of model.images.values()) {
    if (only !== undefined && !only.has(image.name)) continue;
    const dockerfilePath = `${image.root}/${image.dockerfile}`;
    const expected = image.root.replace(/^images\//, '');
    if (expected !== image.name) {
      add({ file: image.projectFile, line: jsonLine(image.projectText, 'name'), rule: 'name-folder', message: `project "${image.name}" lives in ${image.root}, which makes the image ${expected}`, fix: `name the project "${expected}" or move it to images/${image.name}` });
    }
    const nameProblem = imageNameProblem(image.name);
    if (nameProblem !== undefined) {
      add({ file: image.projectFile, line: jsonLine(image.projectText, 'name'), rule: 'image-name', message: `project name "${image.name}" ${nameProblem}`, fix: 'rename the project and its folder to a valid image name' });
    }
    if (image.dockerfileText === undefined || image.dockerfileText.trim() === '') {
      add({ file: dockerfilePath, line: 1, rule: 'dockerfile', message: image.dockerfileText === undefined ? 'the Dockerfile is missing' : 'the Dockerfile is empty', fix: 'write a Dockerfile that starts FROM the parent image' });
      continue;
    }

    const parents = parentsOf.get(image.name) ?? [];
    const deps = image.implicitDependencies;
    for (const parent of parents) {
      if (!deps.includes(parent.name)) {
        add({ file: dockerfilePath, line: parent.line, rule: 'from-undeclared', message: `${parent.via} uses the workspace image ${parent.name}, which is not in implicitDependencies of ${image.name}`, fix: `add "${parent.name}" to implicitDependencies in ${image.projectFile}` });
      }
    }
    const mentions = dockerfileSourceMentions(image.dockerfileText);
    for (const dep of deps) {
      const line = jsonLine(image.projectText, 'implicitDependencies', dep);
      if (model.images.has(dep)) {
        if (!parents.some((parent) => parent.name === dep)) {
          add({ file: image.projectFile, line, rule: 'dependency-unused', message: `implicitDependencies of ${image.name} names the image ${dep}, but no FROM or COPY --from of ${dockerfilePath} uses it`, fix: `remove "${dep}" from implicitDependencies, or build on it in the Dockerfile` });
        }
      } else if (model.sources.has(dep)) {
        const source = model.sources.get(dep)!;
        if (source.declarationError !== undefined) {
          add({ file: source.declarationFile, line: 1, rule: 'source-invalid', message: source.declarationError, fix: `correct ${source.declarationFile}` });
        }
        if (!mentions.all && !mentions.named.some((mention) => sourceAt(model, mention.path) === dep)) {
          add({ file: image.projectFile, line, rule: 'source-unused', message: `${image.name} depends on the source ${dep}, but ${dockerfilePath} never copies .zuul-siblings/ into the image`, fix: `add 'COPY .zuul-siblings/ /tmp/sources/' and 'RUN install-sources /tmp/sources' to the Dockerfile, or remove "${dep}" from implicitDependencies` });
        }
      } else {
        const what = model.otherProjects.has(dep) ? 'a project that is neither an image nor a source' : 'no project of the workspace';
        add({ file: image.projectFile, line, rule: 'dependency-kind', message: `implicitDependencies of ${image.name} names ${dep}, ${what}`, fix: `remove "${dep}", or declare it as a source (sources/${dep}/source.json) or an image project` });
      }
    }
    for (const mention of mentions.named) {
      const name = sourceAt(model, mention.path);
      if (name === undefined) {
        const guess = mention.path.split('/').pop()!;
        add({ file: dockerfilePath, line: mention.line, rule: 'source-unknown', message: `the Dockerfile copies .zuul-siblings/${mention.path}, but no source is declared with that canonical name`, fix: `declare it in sources/${guess}/source.json with "zuulProject": "${mention.path}" ('nx g @imgmono/image-plugin:source ${guess} --url <git url> --ref <ref>')` });
      } else if (!deps.includes(name)) {
        add({ file: dockerfilePath, line: mention.line, rule: 'source-undeclared', message: `the Dockerfile copies .zuul-siblings/${mention.path}, the checkout of source ${name}, but ${name} is not in implicitDependencies of ${image.name}`, fix: `add "${name}" to implicitDependencies in ${image.projectFile}` });
      }
    }
    for (const optional of image.optionalSources) {
      if (!deps.includes(optional) || !model.sources.has(optional)) {
        add({ file: image.projectFile, line: jsonLine(image.projectText, 'optionalSources', optional), rule: 'source-undeclared', message: `optionalSources names ${optional}, which is not a source in implicitDependencies of ${image.name}`, fix: `add the source "${optional}" to implicitDependencies, or remove it from optionalSources` });
      }
    }

    if (rules !== undefined) {
      const namespace = namespaceOf(image.name);
      const rule = rules.get(namespace);
      if (rule === undefined) {
        add({ file: image.projectFile, line: jsonLine(image.projectText, 'name'), rule: 'namespace-undeclared', message: `namespace ${namespace} of ${image.name} has no rules in ${model.namespacesFile}`, fix: `declare it: 'nx g @imgmono/image-plugin:namespace ${namespace} --base ${namespace}/<base image>'` });
      } else {
        for (const parent of parents) {
          const parentNamespace = namespaceOf(parent.name);
          if (parentNamespace !== namespace && !rule.mayBuildOn.includes(parentNamespace)) {
            add({ file: dockerfilePath, line: parent.line, rule: 'namespace-crossing', message: `${image.name} builds on ${parent.name}, but namespace ${namespace} may not build on ${parentNamespace} (mayBuildOn: ${rule.mayBuildOn.length ? rule.mayBuildOn.join(', ') : 'none'})`, fix: `build on an image of ${[namespace, ...rule.mayBuildOn].join(' or ')}, or add "${parentNamespace}" to mayBuildOn of ${namespace} in ${model.namespacesFile}` });
          }
        }
        if (image.name !== rule.base && !descendsFrom(image.name, rule.base, parentsOf)) {
          add({ file: dockerfilePath, line: parents[0]?.line ?? 1, rule: 'namespace-base', message: `${image.name} does not descend from ${rule.base}, the base of namespace ${namespace}`, fix: `build it FROM ${rule.base} or an image above it` });
        }
      }
    }
  }

  for (const cycle of findCycles(model, parentsOf)) {
    if (only !== undefined && !cycle.some((name) => only.has(name))) continue;
    const first = model.images.get(cycle[0])!;
    add({ file: first.projectFile, line: jsonLine(first.projectText, 'implicitDependencies', cycle[1]), rule: 'cycle', message: `images depend on each other in a cycle: ${[...cycle, cycle[0]].join(' -> ')}`, fix: 'remove one of these dependencies; an image cannot be built on its own descendant' });
  }
  return findings;
}

function descendsFrom(image: string, base: string, parentsOf: Map<string, Array<{ name: string }>>): boolean {
  const seen = new Set<string>();
  const queue = [image];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const parent of parentsOf.get(current) ?? []) {
      if (parent.name === base) return true;
      if (!seen.has(parent.name)) {
        seen.add(parent.name);
        queue.push(parent.name);
      }
    }
  }
  return false;
}

/** Cycles among images, following implicitDependencies and Dockerfile parents; each reported once. */
function findCycles(model: WorkspaceModel, parentsOf: Map<string, Array<{ name: string }>>): string[][] {
  const edges = new Map<string, string[]>();
  for (const image of model.images.values()) {
    const targets = new Set([...image.implicitDependencies.filter((dep) => model.images.has(dep)), ...(parentsOf.get(image.name) ?? []).map((p) => p.name)]);
    edges.set(image.name, [...targets].sort());
  }
  const cycles: string[][] = [];
  const seenKeys = new Set<string>();
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'active');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'active') {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        const key = rotated.join('>');
        if (!seenKeys.has(key)) {
          seenKeys.add(key);
          cycles.push(rotated);
        }
      } else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const name of [...edges.keys()].sort()) if (state.get(name) === undefined) visit(name);
  return cycles;
}
