/**
 * Files the plugin ships beside its code (generator templates): found from
 * the plugin's own folder, the one holding generators.json, so they are the
 * same whether the plugin runs from its TypeScript sources or from the
 * compiled dist/ bundle the set-up makes (where `__dirname` is dist/...).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export function pluginRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'generators.json')) && existsSync(path.join(dir, 'executors.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`the image plugin's folder (with generators.json) is not above ${from}`);
  }
}

/** The template folder of a generator: `src/generators/<name>/files`. */
export function generatorTemplates(generator: string): string {
  return path.join(pluginRoot(), 'src', 'generators', generator, 'files');
}
