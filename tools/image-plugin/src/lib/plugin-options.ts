/**
 * The image plugin's options in nx.json, as the executors read them when
 * they run. The workspace's tag rules and secret variables apply to every
 * image, push and promote target, inferred or written in a project.json,
 * without being copied into each target of the project graph: at 1,000
 * images those copies were a third of the graph and of the source maps Nx
 * builds, caches and writes on every command.
 */
import { DEFAULT_TAG_RULES } from './registry-settings';
import { ExecutorInputError } from './report-failure';

export interface NxJsonPlugins {
  plugins?: Array<string | { plugin: string; options?: unknown }>;
}

/** The image plugin's own entry in nx.json's plugins, wherever the workspace keeps the plugin. */
export function imagePluginOptions(nxJson: NxJsonPlugins): Record<string, unknown> {
  for (const entry of nxJson.plugins ?? []) {
    if (typeof entry === 'object' && /image-plugin(\/plugin(\.js)?)?$/.test(entry.plugin)) return (entry.options ?? {}) as Record<string, unknown>;
  }
  return {};
}

/** The target's own tag rules, else the workspace's (the plugin's tagRules), else the defaults. */
export function workspaceTagRules(own: readonly string[] | undefined, nxJson: NxJsonPlugins): string[] {
  if (own !== undefined) return [...own];
  return stringList(imagePluginOptions(nxJson), 'tagRules') ?? DEFAULT_TAG_RULES;
}

/**
 * The variables whose values are secret: the workspace's (the plugin's secretEnv) and the
 * target's own. A target can add to the workspace's, never take one away.
 */
export function workspaceSecretEnv(own: readonly string[] | undefined, nxJson: NxJsonPlugins): string[] {
  return [...new Set([...(stringList(imagePluginOptions(nxJson), 'secretEnv') ?? []), ...(own ?? [])])];
}

function stringList(options: Record<string, unknown>, key: string): string[] | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ExecutorInputError(`nx.json: the image plugin's "${key}" option must be a list of strings (it is ${JSON.stringify(value)}): fix it in nx.json`);
  }
  return value;
}
