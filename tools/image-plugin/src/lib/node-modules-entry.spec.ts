/**
 * The installed-package entry of the plugin, as the set-up leaves it: Nx
 * resolves `@imgmono/image-plugin` inside node_modules (so a task process
 * requires the executor as JavaScript and never loads the TypeScript
 * compiler), and every path the entry names leads to a file of the plugin.
 */
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@imgmono/testing';

const { entryFiles } = require('../../node-modules-entry') as { entryFiles: (folder: string) => Record<string, Record<string, Record<string, Record<string, string>>>> };

describe('node_modules/@imgmono/image-plugin', () => {
  const folder = path.join(REPO_ROOT, 'node_modules/@imgmono/image-plugin');

  it('is a real folder of node_modules, where Node resolves the package from the workspace root', () => {
    expect(lstatSync(folder).isDirectory()).toBe(true);
    const resolved = require.resolve('@imgmono/image-plugin/package.json', { paths: [REPO_ROOT] });
    // real paths: a copy of the workspace (the layers test) links node_modules to this one
    expect(realpathSync(resolved)).toBe(realpathSync(path.join(folder, 'package.json')));
  });

  it('names, for every executor and generator, an implementation and a schema that exist', () => {
    const files = entryFiles(folder);
    const all = [...Object.values(files['executors.json'].executors), ...Object.values(files['generators.json'].generators)];
    expect(all.length).toBeGreaterThan(5);
    for (const entry of all) {
      for (const field of ['implementation', 'batchImplementation', 'factory', 'schema']) {
        if (entry[field] === undefined) continue;
        const file = path.resolve(folder, entry[field].split('#')[0]);
        expect(existsSync(file), `${field} ${entry[field]}`).toBe(true);
        expect(file.startsWith(path.join(REPO_ROOT, 'tools/image-plugin'))).toBe(true);
      }
    }
  });
});
