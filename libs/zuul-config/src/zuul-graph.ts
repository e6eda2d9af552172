/**
 * The image graph as the Zuul jobs need it: job-name slugs, `files` regular
 * expressions, each image's ancestry, its sources' Zuul projects, graph order
 * and chains. Pure.
 */
import { ZuulImageInput, ZuulSourceInput } from './zuul-workspace';

/** `opendev/python-base` -> `opendev-python-base`: the part of job names and `provides` an image gives. */
export function imageSlug(image: string): string {
  return image.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function providesOf(image: string): string {
  return `${imageSlug(image)}-container-image`;
}

/** A regular expression matching exactly this path or everything under this folder. */
export function folderRegex(folder: string): string {
  return `^${escapeRegex(folder)}/.*$`;
}

export function fileRegex(file: string): string {
  return `^${escapeRegex(file)}$`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}


export interface Graph {
  images: Map<string, ZuulImageInput>;
  sources: Map<string, ZuulSourceInput>;
}

/** The image and every image below it, nearest first, each once. */
export function ancestry(graph: Graph, image: string): string[] {
  const out: string[] = [];
  const visit = (name: string) => {
    if (out.includes(name)) return;
    out.push(name);
    for (const parent of graph.images.get(name)?.parents ?? []) visit(parent);
  };
  visit(image);
  return out;
}

/** What makes these images affected: their folders, their sources' declarations, their ancestors', and the shared rules. */
export function filesOf(graph: Graph, images: string[], shared: string[], extraFolders: string[] = []): string[] {
  const folders = new Set<string>(extraFolders);
  for (const image of images) {
    for (const name of ancestry(graph, image)) {
      const node = graph.images.get(name);
      if (node === undefined) continue;
      folders.add(node.root);
      for (const source of node.sources) {
        const declared = graph.sources.get(source);
        if (declared !== undefined) folders.add(declared.root);
      }
    }
  }
  return [...[...folders].sort().map(folderRegex), ...[...shared].sort().map(fileRegex)];
}

export function requiredProjects(graph: Graph, images: string[]): string[] {
  const projects = new Set<string>();
  for (const image of images) for (const source of graph.images.get(image)?.sources ?? []) {
    const declared = graph.sources.get(source);
    if (declared !== undefined) projects.add(declared.zuulProject);
  }
  return [...projects].sort();
}
/** Images in graph order (parents first), ties broken by name: the same graph always gives the same order. */
export function graphOrder(images: readonly ZuulImageInput[]): string[] {
  const byName = new Map(images.map((image) => [image.name, image]));
  const done: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (done.includes(name) || !byName.has(name)) return;
    if (path.includes(name)) throw new Error(`images depend on each other in a cycle: ${[...path, name].join(' -> ')}`);
    for (const parent of [...byName.get(name)!.parents].sort()) visit(parent, [...path, name]);
    done.push(name);
  };
  for (const name of [...byName.keys()].sort()) visit(name, []);
  return done;
}

/** Every chain from a root to a leaf (an image no other image builds on), in graph order. */
export function chains(images: readonly ZuulImageInput[], order: string[]): string[][] {
  const children = new Set(images.flatMap((image) => image.parents));
  return order
    .filter((name) => !children.has(name))
    .map((leaf) => {
      const chain: string[] = [];
      const byName = new Map(images.map((image) => [image.name, image]));
      const visit = (name: string) => {
        if (chain.includes(name) || !byName.has(name)) return;
        for (const parent of [...byName.get(name)!.parents].sort()) visit(parent);
        chain.push(name);
      };
      visit(leaf);
      return chain;
    });
}
