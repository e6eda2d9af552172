/**
 * `nx g @imgmono/image-plugin:source nodepool --url https://opendev.org/zuul/nodepool --ref 9.0.0`
 * Declares a source as a workspace project: sources/<name>/source.json.
 */
import { Tree, getProjects } from '@nx/devkit';
import { SOURCE_FILE, parseSourceDeclaration } from '@imgmono/workspace';
import { GeneratorInputError } from '../image/generator';
import type { SourceGeneratorSchema } from './schema';
import { formatGenerated } from '../../lib/format-generated';

export default async function sourceGenerator(tree: Tree, options: SourceGeneratorSchema): Promise<void> {
  const name = options.name.trim();
  const file = `sources/${name}/${SOURCE_FILE}`;
  if (tree.exists(`sources/${name}`) || getProjects(tree).has(name)) throw new GeneratorInputError(`${name} already exists (${tree.exists(file) ? file : `a project named ${name}`})`);
  const declaration: Record<string, string> = { url: options.url, ref: options.ref };
  if (options.zuulProject) declaration.zuulProject = options.zuulProject;
  if (options.debianPackage) declaration.debianPackage = options.debianPackage;
  const text = `${JSON.stringify(declaration, null, 2)}\n`;
  try {
    parseSourceDeclaration(text, file, name);
  } catch (error) {
    throw new GeneratorInputError((error as Error).message);
  }
  tree.write(file, text);
  await formatGenerated(tree, options.skipFormat);
}
