/**
 * The image forest as text, for terminals and CI logs: each namespace's
 * images as a tree under the image each is built on, with the sources each
 * installs, and the projects a change affects marked. Pure.
 */
import { dockerfileParents } from './check-workspace';
import { namespaceOf } from './namespace-rules';
import { WorkspaceModel } from '@imgmono/workspace';

export interface ForestOptions {
  /** Projects a change affects: marked with '*'. */
  affected?: ReadonlySet<string>;
}

/** The image each image is built on: the workspace image its last FROM names. */
export function baseImages(model: WorkspaceModel): Map<string, string | undefined> {
  const images = new Set(model.images.keys());
  const bases = new Map<string, string | undefined>();
  for (const image of model.images.values()) {
    let parents: Array<{ name: string; via: string }> = [];
    try {
      parents = dockerfileParents(image, images);
    } catch {
      parents = [];
    }
    bases.set(image.name, parents.filter((parent) => parent.via.startsWith('FROM ')).pop()?.name);
  }
  return bases;
}

export function renderForest(model: WorkspaceModel, options: ForestOptions = {}): string[] {
  const bases = baseImages(model);
  const mark = (name: string) => (options.affected?.has(name) ? ' *' : '');
  const sourcesOf = (name: string) => {
    const image = model.images.get(name)!;
    const sources = image.implicitDependencies.filter((dep) => model.sources.has(dep));
    if (sources.length === 0) return '';
    const shown = sources.map((source) => `${source}${image.optionalSources.includes(source) ? ' (optional)' : ''}${mark(source)}`);
    return `  <- ${shown.join(', ')}`;
  };
  const lines: string[] = [];
  const namespaces = [...new Set([...model.images.keys()].map(namespaceOf))].sort();
  for (const namespace of namespaces) {
    const members = [...model.images.keys()].filter((name) => namespaceOf(name) === namespace).sort();
    const childrenOf = (parent: string) => members.filter((name) => bases.get(name) === parent);
    const roots = members.filter((name) => {
      const base = bases.get(name);
      return base === undefined || namespaceOf(base) !== namespace;
    });
    lines.push(`${namespace}/`);
    const byOuterBase = new Map<string, string[]>();
    for (const root of roots) {
      const key = bases.get(root) ?? '';
      byOuterBase.set(key, [...(byOuterBase.get(key) ?? []), root]);
    }
    for (const [outer, group] of [...byOuterBase].sort()) {
      if (outer !== '') lines.push(`  (on ${outer}${mark(outer)})`);
      const walk = (name: string, prefix: string, last: boolean, depth: number) => {
        const branch = depth === 0 ? '' : last ? '└── ' : '├── ';
        lines.push(`  ${prefix}${branch}${name}${mark(name)}${sourcesOf(name)}`);
        const children = childrenOf(name);
        const childPrefix = depth === 0 ? prefix : `${prefix}${last ? '    ' : '│   '}`;
        children.forEach((child, i) => walk(child, childPrefix, i === children.length - 1, depth + 1));
      };
      group.forEach((root) => walk(root, '', true, 0));
    }
  }
  if (options.affected !== undefined) lines.push('', `* affected by the change (${[...options.affected].filter((name) => model.images.has(name)).length} images)`);
  return lines;
}
