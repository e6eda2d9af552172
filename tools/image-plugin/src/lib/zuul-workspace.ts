/** The Zuul file of the workspace and where it goes: the model, shaped by the plugin's "zuul" options in nx.json and the caller's. */
import type { WorkspaceModel } from '@imgmono/workspace';
import { jobGraphLines, renderZuulConfig, zuulWorkspace } from '@imgmono/zuul-config';
import { NxJsonPlugins, imagePluginOptions } from './plugin-options';
import { ZuulUserOptions, normaliseZuulOptions } from './zuul-options';

export function zuulConfigFor(
  model: WorkspaceModel,
  nxJson: NxJsonPlugins,
  overrides: { perChain?: boolean; file?: string } = {},
): { file: string; text: string; jobGraph: string[] } {
  const user = { ...((imagePluginOptions(nxJson).zuul ?? {}) as ZuulUserOptions) };
  if (overrides.perChain !== undefined) user.perChain = overrides.perChain;
  if (overrides.file !== undefined) user.file = overrides.file;
  const { file, options } = normaliseZuulOptions(user);
  const workspace = zuulWorkspace(model);
  return { file, text: renderZuulConfig(workspace, options), jobGraph: jobGraphLines(workspace, options) };
}
