/**
 * `nx g @imgmono/image-plugin:namespace acme --parent opendev/python-base`
 * Declares the namespace's rules in namespaces.json and adds its base image.
 */
import { Tree, updateJson } from '@nx/devkit';
import { NAMESPACE, namespaceOf, parseNamespaceRules } from '@imgmono/graph-check';
import { NAMESPACES_FILE } from '@imgmono/workspace';
import { GeneratorInputError, assertPassesCheck, isImageProject, normaliseImageOptions, writeImageProject } from '../image/generator';
import type { NamespaceGeneratorSchema } from './schema';
import { formatGenerated } from '../../lib/format-generated';

export default async function namespaceGenerator(tree: Tree, options: NamespaceGeneratorSchema): Promise<void> {
  const name = options.name.trim();
  if (!NAMESPACE.test(name)) throw new GeneratorInputError(`"${name}" is not a valid namespace (lowercase letters and digits, joined by . _ __ -)`);
  if (!tree.exists(NAMESPACES_FILE)) tree.write(NAMESPACES_FILE, JSON.stringify({ namespaces: {} }));
  const rules = parseNamespaceRules(tree.read(NAMESPACES_FILE, 'utf-8')!, NAMESPACES_FILE);
  if (rules.has(name)) throw new GeneratorInputError(`namespace ${name} already exists in ${NAMESPACES_FILE}`);
  if (!isImageProject(tree, options.parent)) throw new GeneratorInputError(`parent ${options.parent} is not an image project of this workspace (no images/${options.parent}/Dockerfile)`);
  const base = options.base?.trim() || `${name}/base`;
  if (namespaceOf(base) !== name) throw new GeneratorInputError(`the base image ${base} must be in the namespace ${name}`);
  const mayBuildOn = (options.mayBuildOn ?? namespaceOf(options.parent)).split(',').map((n) => n.trim()).filter(Boolean);
  for (const other of mayBuildOn) {
    if (!rules.has(other)) throw new GeneratorInputError(`--mayBuildOn names ${other}, which is not a declared namespace`);
  }
  if (!mayBuildOn.includes(namespaceOf(options.parent))) {
    throw new GeneratorInputError(`the parent ${options.parent} is in namespace ${namespaceOf(options.parent)}, which --mayBuildOn does not allow`);
  }
  updateJson(tree, NAMESPACES_FILE, (json) => {
    json.namespaces[name] = { ...(options.description ? { description: options.description } : {}), base, mayBuildOn };
    return json;
  });
  const image = normaliseImageOptions(tree, { name: base, parent: options.parent, packages: options.packages }, parseNamespaceRules(tree.read(NAMESPACES_FILE, 'utf-8')!));
  writeImageProject(tree, image);
  await assertPassesCheck(tree, base);
  await formatGenerated(tree, options.skipFormat);
}
