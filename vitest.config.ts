import { defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// One source of truth for the @imgmono/* import paths: tsconfig.base.json.
const paths: Record<string, string[]> = JSON.parse(readFileSync(path.join(__dirname, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths;
const alias = Object.fromEntries(Object.entries(paths).map(([name, [target]]) => [name, path.resolve(__dirname, target)]));

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['libs/**/*.spec.ts', 'tools/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          // the fault suite (tests/faults) runs here too, in the same single fork: it shares the engine
          include: ['tests/integration/**/*.int.spec.ts', 'tests/faults/**/*.fault.spec.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // one file at a time: they share one engine and build real images
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
