/**
 * The run's secret values: the environment variables the workspace marks as
 * secret (the plugin's `secretEnv` option in nx.json, which the image, push
 * and promote executors read: lib/plugin-options.ts) and the registry password. Executors print
 * through `maskedOutput`, so none of them reaches a log.
 */
import { SecretValue, maskSecrets, secretValues } from '@imgmono/secrets';
import { NxJsonPlugins, workspaceSecretEnv } from './plugin-options';
import type { RunRegistry } from './registry-settings';

/** `targetSecretEnv`: the target's own secretEnv option, added to the workspace's in `nxJson`. */
export function runSecrets(targetSecretEnv: readonly string[] | undefined, nxJson: NxJsonPlugins, env: NodeJS.ProcessEnv, registry?: RunRegistry): SecretValue[] {
  const extra: SecretValue[] = [];
  const auth = registry?.auth;
  if (auth?.password !== undefined) {
    extra.push({ name: 'the registry password', value: auth.password });
    // as a Basic Authorization header carries it (masked in its base64 form too)
    extra.push({ name: 'the registry credentials', value: `${auth.username}:${auth.password}` });
  }
  return secretValues(workspaceSecretEnv(targetSecretEnv, nxJson), env, extra);
}

/** Where a task's lines go: its log, and its errors. */
export interface MaskedOutput {
  log: (line: string) => void;
  error: (line: string) => void;
}

/** The process's standard output and error. */
export const CONSOLE_OUTPUT: MaskedOutput = { log: (line) => console.log(line), error: (line) => console.error(line) };

/** Lines to `to` (by default the console), each with every secret value masked. */
export function maskedOutput(secrets: readonly SecretValue[], to: MaskedOutput = CONSOLE_OUTPUT): MaskedOutput {
  return {
    log: (line) => to.log(maskSecrets(line, secrets)),
    error: (line) => to.error(maskSecrets(line, secrets)),
  };
}
