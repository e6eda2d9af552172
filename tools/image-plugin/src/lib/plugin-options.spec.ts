import { describe, expect, it } from 'vitest';
import { DEFAULT_TAG_RULES } from './registry-settings';
import { imagePluginOptions, workspaceSecretEnv, workspaceTagRules } from './plugin-options';

const nxJson = (options: Record<string, unknown>, plugin = './tools/image-plugin/plugin.js') => ({ plugins: ['@nx/js/typescript', { plugin: '@nx/eslint/plugin', options: { targetName: 'lint' } }, { plugin, options }] });

describe('the image plugin options the executors read from nx.json', () => {
  it('are found wherever the workspace keeps the plugin, and are empty without it', () => {
    for (const plugin of ['./tools/image-plugin/plugin.js', './tools/image-plugin/plugin', '@imgmono/image-plugin']) {
      expect(imagePluginOptions(nxJson({ tagRules: ['latest'] }, plugin))).toEqual({ tagRules: ['latest'] });
    }
    expect(imagePluginOptions({ plugins: ['@nx/js/typescript'] })).toEqual({});
    expect(imagePluginOptions({})).toEqual({});
  });

  it("tag rules: the target's own, else the workspace's, else the defaults", () => {
    expect(workspaceTagRules(['{{version}}'], nxJson({ tagRules: ['latest'] }))).toEqual(['{{version}}']);
    expect(workspaceTagRules(undefined, nxJson({ tagRules: ['latest', 'sha-{{sha}}'] }))).toEqual(['latest', 'sha-{{sha}}']);
    expect(workspaceTagRules(undefined, nxJson({}))).toEqual(DEFAULT_TAG_RULES);
  });

  it("secret variables: the workspace's and the target's own, so a target cannot unmask the workspace's", () => {
    expect(workspaceSecretEnv([], nxJson({ secretEnv: ['ZUUL_TOKEN'] }))).toEqual(['ZUUL_TOKEN']);
    expect(workspaceSecretEnv(['SITE_TOKEN', 'ZUUL_TOKEN'], nxJson({ secretEnv: ['ZUUL_TOKEN'] }))).toEqual(['ZUUL_TOKEN', 'SITE_TOKEN']);
    expect(workspaceSecretEnv(undefined, nxJson({}))).toEqual([]);
  });

  it('name nx.json, the option and the fix when an option is not a list of strings', () => {
    expect(() => workspaceSecretEnv([], nxJson({ secretEnv: 'ZUUL_TOKEN' }))).toThrow(`nx.json: the image plugin's "secretEnv" option must be a list of strings (it is "ZUUL_TOKEN"): fix it in nx.json`);
    expect(() => workspaceTagRules(undefined, nxJson({ tagRules: [1] }))).toThrow(`"tagRules" option must be a list of strings (it is [1])`);
  });
});
