/**
 * Infers the workspace's projects from their files:
 * - every folder under `images/` with a Dockerfile gets an `image` target;
 * - every `sources/<name>/source.json` is a source project named `<name>`
 *   (a declaration only: no code, no targets), so image projects can list
 *   it in implicitDependencies and `nx affected` follows a bumped ref.
 */
// Types only: loading @nx/devkit at run time costs a quarter of a second in every plugin worker.
import type { CreateNodesResult, CreateNodes, TargetConfiguration } from '@nx/devkit';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { IMAGE_TEST_FILE, SCENARIO_FILE } from '@imgmono/workspace';
import { parseScenario, scenarioFileFolders, scenarioImages } from '@imgmono/image-test-spec';
import { IMAGE_EXECUTOR } from '../lib/workspace-images';
import { envInputs } from '../lib/run-settings';

export interface ImagePluginOptions {
  /** Name of the build target; default `image`. */
  imageTargetName?: string;
  /** Name of the graph check target; default `graph-check`. */
  checkTargetName?: string;
  /** Tag rules of the push and promote targets; see libs/tags. Read by those executors when they run. */
  tagRules?: string[];
  /**
   * Environment variables whose values are secret (tokens, passwords). Their values are masked
   * in all output, and a build that would carry one (a build argument, a label, a context file)
   * is refused. The registry password is always treated so. Read by the image, push and promote
   * executors when they run, for every target of theirs, inferred or written in a project.json.
   */
  secretEnv?: string[];
  /** The Zuul export's settings (job names, parents, registry, pipelines, perChain, file): see libs/zuul-config. */
  zuul?: Record<string, unknown>;
}

export const PROJECT_FILES_GLOB = '{images/**/Dockerfile,sources/*/source.json,scenarios/*/scenario.json,zuul.d/images.yaml}';

/** Name of the test target of images (with an image-test.json) and scenarios. */
export const TEST_TARGET = 'image-test';

/**
 * What inference needs of the plugin's options, with the workspace's named inputs (nx.json) the
 * targets may refer to. tagRules and secretEnv are not copied into the targets: the executors read
 * them from nx.json when they run (lib/plugin-options.ts).
 */
export type PluginSettings = Required<Pick<ImagePluginOptions, 'imageTargetName' | 'checkTargetName'>> & { namedInputs: Record<string, unknown> };

export function normaliseOptions(options: ImagePluginOptions | undefined, namedInputs: Record<string, unknown> = {}): PluginSettings {
  return {
    namedInputs,
    imageTargetName: options?.imageTargetName ?? 'image',
    checkTargetName: options?.checkTargetName ?? 'graph-check',
  };
}

export function imageTarget(projectRoot: string, options: PluginSettings, sources: readonly string[] = []): TargetConfiguration {
  const name = projectRoot.replace(/^images\//, '');
  return {
    executor: IMAGE_EXECUTOR,
    dependsOn: [`^${options.imageTargetName}`],
    // The executor is its own cache: it reuses an image only after the engine confirms it holds it,
    // and source checkouts outside the workspace are inputs Nx cannot see. The settings that change
    // what it does are inputs, so Nx never takes two runs that differ in them for one task.
    cache: false,
    inputs: ['{projectRoot}/**/*', ...envInputs('image', sources, options.namedInputs)],
    // no options: the executor's defaults, and the workspace's secretEnv read from nx.json when it runs
    metadata: {
      description: `Build the ${name} image on the Docker engine, parents first, each child pinned to its parent's image id`,
      technologies: ['docker'],
    },
  };
}

export function checkTarget(projectRoot: string): TargetConfiguration {
  return {
    executor: '@imgmono/image-plugin:graph-check',
    cache: true,
    // the project, the projects it depends on, and the namespace rules decide the result
    inputs: ['default', '^default', '{workspaceRoot}/namespaces.json'],
    metadata: {
      description: `Check that ${projectRoot.replace(/^images\//, '')}'s implicitDependencies, Dockerfile, sources, name and namespace rules agree`,
    },
  };
}

export const createNodes: CreateNodes<ImagePluginOptions> = [
  PROJECT_FILES_GLOB,
  async (files, rawOptions, context) => {
    const options = normaliseOptions(rawOptions, context.nxJsonConfiguration?.namedInputs);
    return files.map((file): [string, CreateNodesResult] => [file, nodesFor(file, options, context.workspaceRoot)]);
  },
];

/**
 * A scenario project: its images, and the other scenarios whose files it copies in, are its
 * implicitDependencies, so `nx affected` runs it when any of them changes.
 */
function scenarioNodes(file: string, workspaceRoot: string, options: PluginSettings): CreateNodesResult {
  const projectRoot = path.posix.dirname(file);
  const scenario = parseScenario(readFileSync(path.join(workspaceRoot, file), 'utf8'), file);
  return {
    projects: {
      [projectRoot]: {
        name: projectRoot,
        projectType: 'application',
        tags: ['kind:scenario'],
        implicitDependencies: [...scenarioImages(scenario), ...scenarioFileFolders(scenario, projectRoot)],
        targets: {
          [TEST_TARGET]: {
            executor: '@imgmono/image-plugin:scenario',
            dependsOn: [`^${options.imageTargetName}`],
            cache: false,
            inputs: ['default', ...envInputs('image-test', [], options.namedInputs)],
            metadata: { description: `Start this run's images of ${scenarioImages(scenario).join(', ')} together and run the scenario's tests`, technologies: ['docker'] },
          },
        },
      },
    },
  };
}

/** The committed Zuul configuration: a project whose zuul-check target keeps it in step with the graph. */
function zuulConfigNodes(file: string): CreateNodesResult {
  return {
    projects: {
      [path.posix.dirname(file)]: {
        name: 'zuul-config',
        projectType: 'library',
        tags: ['kind:zuul-config'],
        targets: {
          'zuul-check': {
            executor: '@imgmono/image-plugin:zuul-check',
            cache: true,
            // what the export reads: the graph's images, sources and scenarios, their rules, the settings, and the file
            inputs: ['{workspaceRoot}/images/**/*', '{workspaceRoot}/sources/**/*', '{workspaceRoot}/scenarios/**/*', '{workspaceRoot}/namespaces.json', '{workspaceRoot}/nx.json', '{projectRoot}/**/*'],
            metadata: { description: `Fail when ${file} differs from what the project graph gives (regenerate: nx g @imgmono/image-plugin:zuul)` },
          },
        },
      },
    },
  };
}

function nodesFor(file: string, options: PluginSettings, workspaceRoot: string): CreateNodesResult {
  const projectRoot = path.posix.dirname(file);
  if (file === 'zuul.d/images.yaml') return zuulConfigNodes(file);
  if (path.posix.basename(file) === SCENARIO_FILE) return scenarioNodes(file, workspaceRoot, options);
  if (path.posix.basename(file) === 'source.json') {
    return {
      projects: {
        [projectRoot]: {
          name: path.posix.basename(projectRoot),
          projectType: 'library',
          tags: ['kind:source'],
          metadata: { description: `Source ${path.posix.basename(projectRoot)}: declared in ${file} (upstream URL and pinned ref)` },
        },
      },
    };
  }
  return {
    projects: {
      [projectRoot]: {
        // An image is an application. Said here, Nx does not probe a project without a type for
        // tsconfig.lib.json, tsconfig.app.json and a package.json (a failed read each): about 30 ms
        // of every Nx command at 1,001 images. A projectType in the project.json still wins.
        projectType: 'application',
        targets: {
          [options.imageTargetName]: imageTarget(projectRoot, options, declaredSources(workspaceRoot, projectRoot)),
          [options.checkTargetName]: checkTarget(projectRoot),
          push: {
            executor: '@imgmono/image-plugin:push',
            dependsOn: [options.imageTargetName],
            cache: false,
            inputs: ['default', ...envInputs('push', [], options.namedInputs)],
            metadata: { description: 'Push the image under its computed tags to IMAGE_REGISTRY (change build: IMAGE_CHANGE; release: IMAGE_RELEASE=true)' },
          },
          ...(existsSync(path.join(workspaceRoot, projectRoot, IMAGE_TEST_FILE))
            ? {
                [TEST_TARGET]: {
                  executor: '@imgmono/image-plugin:image-test',
                  dependsOn: [options.imageTargetName],
                  cache: false,
                  inputs: ['default', ...envInputs('image-test', [], options.namedInputs)],
                  metadata: { description: `Run the checks of ${projectRoot}/${IMAGE_TEST_FILE} against the image this run built`, technologies: ['docker'] },
                },
              }
            : {}),
          promote: {
            executor: '@imgmono/image-plugin:promote',
            cache: false,
            inputs: ['default', ...envInputs('promote', [], options.namedInputs)],
            metadata: { description: "Promote IMAGE_CHANGE's images to their release tags in IMAGE_REGISTRY, without pulling or rebuilding" },
          },
        },
      },
    },
  };
}

/** The sources an image installs: the implicitDependencies in its project.json that are declared sources. */
function declaredSources(workspaceRoot: string, projectRoot: string): string[] {
  let project: { implicitDependencies?: unknown };
  try {
    project = JSON.parse(readFileSync(path.join(workspaceRoot, projectRoot, 'project.json'), 'utf8'));
  } catch {
    return []; // a broken project.json is Nx's to report, with its file name
  }
  const dependencies = Array.isArray(project.implicitDependencies) ? project.implicitDependencies.filter((dep): dep is string => typeof dep === 'string') : [];
  return dependencies.filter((dep) => /^[a-z0-9][a-z0-9._-]*$/.test(dep) && existsSync(path.join(workspaceRoot, 'sources', dep, 'source.json'))).sort();
}
