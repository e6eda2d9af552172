/**
 * `nx g @imgmono/image-plugin:image <namespace>/<name> --parent <image> --sources a,b`
 * Writes the project and its Dockerfile, wires implicitDependencies, and
 * refuses what the graph check would reject: an existing name, an unknown
 * parent or source, a parent the namespace rules forbid.
 */
import { Tree, addProjectConfiguration, generateFiles, getProjects, joinPathFragments } from '@nx/devkit';
import { NAMESPACES_FILE } from '@imgmono/workspace';
import { NamespaceRules, checkWorkspace, formatFinding, imageNameProblem, namespaceOf, parseNamespaceRules } from '@imgmono/graph-check';
import { generatorTemplates } from '../../lib/plugin-files';
import { modelFromTree } from '../../lib/tree-model';
import type { ImageGeneratorSchema } from './schema';
import { formatGenerated } from '../../lib/format-generated';
import { UserError } from '@imgmono/errors';

export class GeneratorInputError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

const list = (value: string | undefined) => (value ?? '').split(/[,\s]+/).map((v) => v.trim()).filter(Boolean);

export function readNamespaceRules(tree: Tree): NamespaceRules {
  if (!tree.exists(NAMESPACES_FILE)) throw new GeneratorInputError(`${NAMESPACES_FILE} does not exist: add a namespace first ('nx g @imgmono/image-plugin:namespace <name>')`);
  return parseNamespaceRules(tree.read(NAMESPACES_FILE, 'utf-8')!, NAMESPACES_FILE);
}

export function isImageProject(tree: Tree, name: string): boolean {
  const config = getProjects(tree).get(name);
  return config !== undefined && config.root.startsWith('images/') && tree.exists(joinPathFragments(config.root, 'Dockerfile'));
}

export interface NormalisedImageOptions {
  name: string;
  namespace: string;
  root: string;
  parent: string;
  sources: string[];
  optionalSources: string[];
  packages: string[];
}

export function normaliseImageOptions(tree: Tree, options: ImageGeneratorSchema, rules: NamespaceRules): NormalisedImageOptions {
  const name = options.name.trim();
  const problem = imageNameProblem(name);
  if (problem !== undefined) throw new GeneratorInputError(`"${name}" ${problem}`);
  if (name.split('/').length !== 2) throw new GeneratorInputError(`"${name}" must be <namespace>/<name>, one level deep`);
  const namespace = namespaceOf(name);
  const root = `images/${name}`;
  if (getProjects(tree).has(name) || tree.exists(root)) throw new GeneratorInputError(`${name} already exists (${root}); choose another name or edit that project`);
  const rule = rules.get(namespace);
  if (rule === undefined) {
    throw new GeneratorInputError(`namespace ${namespace} has no rules in ${NAMESPACES_FILE}: add it first ('nx g @imgmono/image-plugin:namespace ${namespace} --parent <image>')`);
  }
  const parent = options.parent?.trim() || rule.base;
  if (!isImageProject(tree, parent)) throw new GeneratorInputError(`parent ${parent} is not an image project of this workspace (no images/${parent}/Dockerfile)`);
  const parentNamespace = namespaceOf(parent);
  if (parentNamespace !== namespace && !rule.mayBuildOn.includes(parentNamespace)) {
    throw new GeneratorInputError(
      `namespace ${namespace} may not build on ${parentNamespace} (mayBuildOn: ${rule.mayBuildOn.join(', ') || 'none'} in ${NAMESPACES_FILE}): choose a parent in ${[namespace, ...rule.mayBuildOn].join(' or ')}, or change the namespace rules`,
    );
  }
  const sources = list(options.sources);
  for (const source of sources) {
    if (!tree.exists(`sources/${source}/source.json`)) {
      throw new GeneratorInputError(`source ${source} is not declared (no sources/${source}/source.json): add it with 'nx g @imgmono/image-plugin:source ${source} --url <git url> --ref <ref>'`);
    }
  }
  const optionalSources = list(options.optionalSources);
  for (const source of optionalSources) {
    if (!sources.includes(source)) throw new GeneratorInputError(`--optionalSources names ${source}, which is not in --sources`);
  }
  return { name, namespace, root, parent, sources, optionalSources, packages: list(options.packages) };
}

export function writeImageProject(tree: Tree, o: NormalisedImageOptions): void {
  addProjectConfiguration(tree, o.name, {
    root: o.root,
    // no projectType: the plugin gives every image project 'application'
    tags: [`namespace:${o.namespace}`, 'kind:image'],
    implicitDependencies: [o.parent, ...o.sources],
    targets: o.optionalSources.length > 0 ? { image: { options: { optionalSources: o.optionalSources } } } : {},
  });
  generateFiles(tree, generatorTemplates('image'), o.root, { ...o, tmpl: '' });
}

/** A generated project must pass the graph check as it stands; otherwise nothing is written. */
export async function assertPassesCheck(tree: Tree, project: string): Promise<void> {
  const findings = checkWorkspace(await modelFromTree(tree), new Set([project]));
  if (findings.length > 0) throw new GeneratorInputError(`the new project would fail the graph check:\n${findings.map(formatFinding).join('\n')}`);
}

export default async function imageGenerator(tree: Tree, options: ImageGeneratorSchema): Promise<void> {
  const normalised = normaliseImageOptions(tree, options, readNamespaceRules(tree));
  writeImageProject(tree, normalised);
  await assertPassesCheck(tree, normalised.name);
  await formatGenerated(tree, options.skipFormat);
}
