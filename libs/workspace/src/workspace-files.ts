/**
 * The files a workspace is made of, by name, and the one rule that says what
 * kind of project a folder is: the same rule the plugin's target inference
 * follows (images/<...>/Dockerfile, sources/<name>/source.json,
 * scenarios/<name>/scenario.json). Pure.
 */
export const DOCKERFILE = 'Dockerfile';
export const PROJECT_FILE = 'project.json';
export const IMAGES_FOLDER = 'images';
export const SOURCES_FOLDER = 'sources';
export const SCENARIOS_FOLDER = 'scenarios';
export const SOURCE_FILE = 'source.json';
export const SCENARIO_FILE = 'scenario.json';
/** The files that make a folder a project, each read by Nx or the plugin before anything is built. */
export const PROJECT_FILES: readonly string[] = [PROJECT_FILE, SOURCE_FILE, SCENARIO_FILE];
/** Beside a Dockerfile: the image's checks; never part of its build context. */
export const IMAGE_TEST_FILE = 'image-test.json';
/** Beside it, a folder for the checks' own files (sample configurations); never part of the build context either. */
export const IMAGE_TEST_FOLDER = 'image-test';
/** A root image's description: its root file system is made from Debian packages. */
export const ROOTFS_FILE = 'rootfs.json';
export const NAMESPACES_FILE = 'namespaces.json';

export type ProjectKind = 'image' | 'source' | 'scenario' | 'other';

/** A source project's folder: `sources/<name>`, one level deep. */
export function isSourceRoot(root: string): boolean {
  return /^sources\/[^/]+$/.test(root);
}

/** A scenario project's folder: `scenarios/<name>`, one level deep. */
export function isScenarioRoot(root: string): boolean {
  return /^scenarios\/[^/]+$/.test(root);
}

/**
 * What kind of project a folder holds: the rule everything in this workspace follows. A project
 * under images/ is an image project (one without a Dockerfile is a broken one, which the graph check
 * reports); sources/<name> and scenarios/<name> hold a source and a scenario.
 */
export function projectKind(root: string): ProjectKind {
  if (root.startsWith(`${IMAGES_FOLDER}/`)) return 'image';
  if (isSourceRoot(root)) return 'source';
  if (isScenarioRoot(root)) return 'scenario';
  return 'other';
}
