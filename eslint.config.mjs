// The layers of libs/ and tools/image-plugin, held by Nx's module boundary rule.
// Each project names its layer in project.json ("layer:<name>"); a project may
// import only from the layers listed for it. See docs/architecture.md.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nx from '@nx/eslint-plugin';

/** Which layers each layer may depend on (its own included where listed). */
const layers = {
  pure: ['pure'],
  io: ['pure', 'io'],
  orchestration: ['pure', 'io', 'orchestration'],
  plugin: ['pure', 'io', 'orchestration', 'plugin'],
  testing: ['pure', 'io', 'testing'],
};

/** The roots of the libs whose project.json names the given layer. */
const workspaceRoot = dirname(fileURLToPath(import.meta.url));
const libsOfLayer = (layer) =>
  readdirSync(join(workspaceRoot, 'libs'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `libs/${entry.name}`)
    .filter((root) => JSON.parse(readFileSync(join(workspaceRoot, root, 'project.json'), 'utf8')).tags?.includes(`layer:${layer}`));

const testHelpers = { name: '@imgmono/testing', message: 'test helpers are for specs (*.spec.ts) only' };
const testEngine = { name: '@imgmono/test-engine', message: 'test helpers are for specs (*.spec.ts) only' };
/** What a pure lib may not touch: files, processes, the network, the engine. */
const sideEffects = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'tls', 'dgram', 'os'].flatMap((name) => [
  { name, message: 'a pure lib does no I/O: move this into an io-layer lib and pass the data in' },
  { name: `node:${name}`, message: 'a pure lib does no I/O: move this into an io-layer lib and pass the data in' },
]);

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/files/**'] },
  {
    files: ['**/*.ts'],
    rules: {
      // strict null checks are on; a `!` here marks a fact the code above established
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: Object.entries(layers).map(([layer, allowed]) => ({
            sourceTag: `layer:${layer}`,
            // specs of every layer may use the test helpers
            onlyDependOnLibsWithTags: allowed.map((name) => `layer:${name}`),
          })),
        },
      ],
    },
  },
  {
    // Test helpers are for specs: product code never imports them. The bench sets up
    // workspaces and an engine as specs do, so it may use them too.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**', 'libs/test-engine/**', 'tools/bench/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [testHelpers, testEngine] }],
    },
  },
  {
    // Pure libs compute: no files, processes, network or engine (specs may use them).
    files: libsOfLayer('pure').map((root) => `${root}/**/*.ts`),
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [testHelpers, testEngine, ...sideEffects, { name: 'dockerode', message: 'a pure lib does not talk to the engine' }] }],
    },
  },
  {
    // Specs of any layer may use the test helpers; the module boundary rule still holds for everything else.
    files: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: Object.entries(layers).map(([layer, allowed]) => ({
            sourceTag: `layer:${layer}`,
            onlyDependOnLibsWithTags: [...allowed, 'testing'].map((name) => `layer:${name}`),
          })),
        },
      ],
    },
  },
  {
    // CommonJS entry points of the plugin (Nx loads them with require)
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
  },
];
