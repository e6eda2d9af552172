/**
 * Every environment setting of a run, declared once (what it means, its
 * default, which targets it changes) and read in one place, readRunSettings,
 * which every executor calls. The plugin gives each target its settings as
 * Nx inputs (so Nx never sees one task with two outcomes when only a setting
 * differed), and a test keeps the README's settings table in agreement with
 * the declarations. Pure: the environment comes in as an argument.
 */
import type { TargetConfiguration } from '@nx/devkit';
import * as os from 'node:os';
import type { TagContext } from '@imgmono/tags';
import { sourceEnvVariable } from '@imgmono/workspace';

export type SettingTarget = 'image' | 'push' | 'promote' | 'image-test' | 'set-up';

export interface RunSetting {
  /** The variable; `IMAGE_SOURCE_<NAME>` stands for one variable per source. */
  name: string;
  meaning: string;
  default: string;
  targets: readonly SettingTarget[];
}

const ALL_ENGINE = ['image', 'push', 'image-test'] as const;

export const RUN_SETTINGS: readonly RunSetting[] = [
  { name: 'DOCKER_HOST', meaning: 'engine to use: `unix://`, `tcp://host:port` or `ssh://user@host`', default: '`unix:///var/run/docker.sock`', targets: [...ALL_ENGINE, 'set-up'] },
  { name: 'DOCKER_TLS_VERIFY', meaning: '`1`: talk to a `tcp://` engine over TLS, verifying it', default: '', targets: [...ALL_ENGINE, 'set-up'] },
  { name: 'DOCKER_CERT_PATH', meaning: "folder with the engine's CA and this client's certificate and key (`ca.pem`, `cert.pem`, `key.pem`)", default: '`~/.docker`', targets: [...ALL_ENGINE, 'set-up'] },
  { name: 'DOCKER_CONFIG', meaning: 'folder of the docker config whose `auths` give registry credentials', default: '`~/.docker`', targets: ['image', 'push', 'promote'] },
  { name: 'CI', meaning: '`true`: CI mode (a missing source, engine or upstream bundle is an error; integration tests never skip)', default: '', targets: ['image', 'push', 'image-test'] },
  { name: 'IMAGE_BUILD_NETWORK', meaning: 'network mode of build containers', default: '`host`', targets: ['image'] },
  { name: 'IMAGE_RUN_ID', meaning: "marks this run's build records (the summary and the test targets use it)", default: 'set by `npm run images`', targets: ['image', 'image-test'] },
  { name: 'IMAGE_TAGS', meaning: "tags for this run instead of the target's (`change_1234,latest`)", default: "the target's `tags`, `latest`", targets: ['image'] },
  { name: 'IMAGE_NO_CACHE', meaning: '`true`: build again from scratch (no reuse by input digest, no layer cache)', default: '', targets: ['image'] },
  { name: 'IMAGE_BATCH_PARALLEL', meaning: 'images built at once in batch mode (`npm run images`)', default: 'the number of cores', targets: ['image'] },
  { name: 'IMAGE_SOURCE_<NAME>', meaning: 'checkout of one source for this run (`IMAGE_SOURCE_OPENSTACKSDK`)', default: '', targets: ['image'] },
  { name: 'IMAGE_SOURCES_PROJECTS', meaning: 'Zuul-style projects file handing over several checkouts', default: '', targets: ['image'] },
  { name: 'IMAGE_SOURCES_SIBLINGS', meaning: 'folder of sibling checkouts', default: '`..`', targets: ['image'] },
  { name: 'IMAGE_SOURCES_CACHE', meaning: 'where pinned refs are cloned', default: '`~/.cache/imgmono/sources`', targets: ['image'] },
  { name: 'IMAGE_SOURCES_CLONE', meaning: '`false`: never clone', default: 'clone', targets: ['image'] },
  { name: 'IMAGE_SOURCES_STRICT', meaning: '`true`: a missing required source is an error', default: '`true` when `CI=true`', targets: ['image', 'push', 'image-test'] },
  { name: 'IMAGE_REGISTRY', meaning: "the run's registry (host:port): push, promote, parents not built in this run", default: '', targets: ['image', 'push', 'promote'] },
  { name: 'IMAGE_REGISTRY_USERNAME', meaning: "registry user for CI (else the docker config's `auths`)", default: '', targets: ['image', 'push', 'promote'] },
  { name: 'IMAGE_REGISTRY_PASSWORD', meaning: 'registry password for CI; masked in all output', default: '', targets: ['image', 'push', 'promote'] },
  { name: 'IMAGE_CHANGE', meaning: 'the change under test: change tags, speculative parents, what promote moves', default: '', targets: ['image', 'push', 'promote'] },
  { name: 'IMAGE_PATCHSET', meaning: 'the change\'s patchset, for `{{patchset}}` tags', default: '', targets: ['push'] },
  { name: 'IMAGE_BUILDSET', meaning: 'the buildset, for `{{buildset}}` tags', default: '', targets: ['push'] },
  { name: 'IMAGE_BRANCH', meaning: 'the branch, for `{{branch}}` tags', default: '', targets: ['push'] },
  { name: 'IMAGE_RELEASE', meaning: '`true`: a release build (version tags, `latest`)', default: '', targets: ['push'] },
  { name: 'IMGMONO_ENGINE_DIR', meaning: "where `engine-setup.sh` keeps dockerd's data and log", default: '`/var/lib/imgmono/engine`', targets: ['set-up'] },
];

/**
 * The outcome of the image, image-test, push and promote targets also depends on state no Nx input
 * can name: the engine (an image pruned, an engine restarted), the registry (a tag moved meanwhile,
 * a 500 for a moment) and source checkouts outside the workspace. Without this, Nx's task history
 * would take a failed run and a later good one for one task and call it flaky. With it, each run is
 * a task of its own there; caching is off for these targets anyway (`cache: false`): the executor
 * is its own cache, and reuses only what the engine or registry confirms.
 */
export const OUTSIDE_STATE_INPUT = { runtime: 'date +%s%N' } as const;

type InputTarget = Exclude<SettingTarget, 'set-up'>;

/** The named input (nx.json `namedInputs`) that holds a target's settings, when the workspace defines it. */
export const SETTINGS_NAMED_INPUTS: Readonly<Record<InputTarget, string>> = {
  image: 'imageSettings',
  push: 'pushSettings',
  'image-test': 'imageTestSettings',
  promote: 'promoteSettings',
};

/** The environment settings that change a target, but the per-source IMAGE_SOURCE_<NAME>. */
function settingNames(target: InputTarget): string[] {
  return RUN_SETTINGS.filter((setting) => setting.targets.includes(target) && setting.name !== 'IMAGE_SOURCE_<NAME>').map((setting) => setting.name);
}

/** nx.json's `namedInputs` for the settings, one per target: what the workspace's nx.json holds (a test compares them). */
export function settingsNamedInputs(): Record<string, { env: string }[]> {
  return Object.fromEntries(Object.entries(SETTINGS_NAMED_INPUTS).map(([target, name]) => [name, settingNames(target as InputTarget).map((env) => ({ env }))]));
}

/**
 * The Nx inputs of a target: the environment settings that change what it does (for an image,
 * IMAGE_SOURCE_<NAME> of each of its sources), and the state outside the workspace. When nx.json
 * defines the target's named input (settingsNamedInputs), the target names it instead of listing
 * every variable: in a workspace of 1,000 images that is 80,000 fewer input entries for Nx to
 * merge, cache and write on every command (about 0.1 s of `nx show projects`).
 */
export function envInputs(target: InputTarget, sources: readonly string[] = [], namedInputs: Record<string, unknown> = {}): NonNullable<TargetConfiguration['inputs']> {
  const named = SETTINGS_NAMED_INPUTS[target];
  const settings = named in namedInputs ? [named] : settingNames(target).map((env) => ({ env }));
  return [...settings, ...sources.map((source) => ({ env: sourceEnvVariable(source) })), OUTSIDE_STATE_INPUT];
}

/** The settings table of the README (and docs), one row a setting: what the agreement test compares. */
export function settingsTableRows(): string[] {
  const targets = (setting: RunSetting) => setting.targets.map((target) => (target === 'set-up' ? 'set-up' : `\`${target}\``)).join(', ');
  return RUN_SETTINGS.map((setting) => `| \`${setting.name}\` | ${setting.meaning} | ${setting.default} | ${targets(setting)} |`);
}

/** A run's settings, read from the environment once. */
export interface RunSettings {
  /** CI=true: a missing source, engine or upstream bundle is an error. */
  ci: boolean;
  /** A required source that cannot be obtained is an error (IMAGE_SOURCES_STRICT, else CI). */
  strictSources: boolean;
  buildNetwork: string;
  runId?: string;
  /** IMAGE_TAGS: tags for this run instead of the target's. */
  tags?: string[];
  noCache: boolean;
  batchParallel: number;
  registry?: string;
  registryUsername?: string;
  registryPassword?: string;
  tagContext: TagContext;
  sources: {
    /** The checkout IMAGE_SOURCE_<NAME> hands over for one source, if any. */
    explicit(name: string): string | undefined;
    projectsFile?: string;
    siblings?: string;
    cache?: string;
    clone: boolean;
  };
  /** The environment itself, for what reads its own variables (the docker config's credentials, the engine client). */
  env: NodeJS.ProcessEnv;
}

export function readRunSettings(env: NodeJS.ProcessEnv): RunSettings {
  const value = (name: string) => (env[name] !== undefined && env[name] !== '' ? env[name] : undefined);
  const list = (text: string | undefined) => (text === undefined ? undefined : text.split(',').map((item) => item.trim()).filter(Boolean));
  const ci = env.CI === 'true';
  return {
    ci,
    strictSources: env.IMAGE_SOURCES_STRICT !== undefined ? env.IMAGE_SOURCES_STRICT === 'true' : ci,
    buildNetwork: value('IMAGE_BUILD_NETWORK') ?? 'host',
    runId: value('IMAGE_RUN_ID'),
    tags: list(value('IMAGE_TAGS')),
    noCache: env.IMAGE_NO_CACHE === 'true',
    batchParallel: Math.max(1, Number(value('IMAGE_BATCH_PARALLEL') ?? os.cpus().length) || 1),
    registry: value('IMAGE_REGISTRY'),
    registryUsername: value('IMAGE_REGISTRY_USERNAME'),
    registryPassword: value('IMAGE_REGISTRY_PASSWORD'),
    tagContext: {
      release: env.IMAGE_RELEASE === 'true',
      change: value('IMAGE_CHANGE'),
      patchset: value('IMAGE_PATCHSET'),
      buildset: value('IMAGE_BUILDSET'),
      branch: value('IMAGE_BRANCH'),
    },
    sources: {
      explicit: (name) => value(sourceEnvVariable(name)),
      projectsFile: value('IMAGE_SOURCES_PROJECTS'),
      siblings: value('IMAGE_SOURCES_SIBLINGS'),
      cache: value('IMAGE_SOURCES_CACHE'),
      clone: env.IMAGE_SOURCES_CLONE !== 'false',
    },
    env,
  };
}
