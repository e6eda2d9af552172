/**
 * What a build may ask for. Builds go through the engine's classic builder,
 * which has no secret mounts; build arguments are written into the image
 * history (`docker history --no-trunc`) and the build record. So a build
 * that asks for a secret is refused, with the reason, instead of leaking it.
 * Builds never run privileged, never mount host paths and never see the
 * engine's socket: the build request carries no such options at all. Pure.
 */
import { ParsedDockerfile, splitFlags } from '@imgmono/dockerfile';
import { SecretValue, findSecret, hasUrlUserInfo } from '@imgmono/secrets';
import { byCodePoint } from './code-point-order';

/** Build argument names that hold secrets by every convention. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

export interface PolicyInput {
  dockerfile: ParsedDockerfile;
  dockerfileLabel: string;
  projectFileLabel: string;
  buildArgs: Record<string, string>;
  /** Names the workspace marks as secret (the image target's `secrets` option). */
  secrets: readonly string[];
  /** Values the workspace marks as secret (secretEnv, the registry password). */
  secretValues?: readonly SecretValue[];
}

/**
 * Which of these values (build arguments, labels: everything kept in the image) carries a secret:
 * a marked secret value, or a URL with user information (`https://user:password@host`,
 * `https://<token>@host`). Says which key, never the value.
 */
export function secretsCarried(values: Record<string, string>, secrets: readonly SecretValue[]): string | undefined {
  for (const [key, value] of Object.entries(values).sort(([a], [b]) => byCodePoint(a, b))) {
    const secret = findSecret(value, secrets);
    if (secret !== undefined) return `${key} carries the value of ${secret.name}, which is secret`;
    if (hasUrlUserInfo(value)) return `${key} carries a URL with user information (a user name, password or token) in it`;
  }
  return undefined;
}

export function buildPolicyProblems(input: PolicyInput): string[] {
  const problems: string[] = [];
  const why = 'the classic builder this workspace drives has no build secrets, and build arguments are kept in the image history and the build record';
  for (const name of input.secrets) {
    problems.push(`${input.projectFileLabel}: the image asks for the secret ${name}, which is refused: ${why}; fetch it at run time instead, or build the artefact that needs it outside the image build`);
  }
  const carried = secretsCarried(input.buildArgs, input.secretValues ?? []);
  if (carried !== undefined) {
    problems.push(`${input.projectFileLabel}: build argument ${carried}, and is refused: ${why}; pass it at run time instead`);
  }
  for (const name of Object.keys(input.buildArgs).sort()) {
    if (SECRET_NAME.test(name)) {
      problems.push(`${input.projectFileLabel}: build argument ${name} looks like a secret and is refused: ${why}; pass it at run time, or rename it if it is not secret`);
    }
  }
  for (const instruction of input.dockerfile.instructions) {
    if (instruction.keyword !== 'RUN') continue;
    const mount = splitFlags(instruction.args).flags.mount;
    if (mount === undefined) continue;
    const type = /(?:^|,)type=([a-z]+)/.exec(mount)?.[1] ?? 'bind';
    problems.push(
      type === 'secret' || type === 'ssh'
        ? `${input.dockerfileLabel}:${instruction.line}: RUN --mount=type=${type} asks for a ${type === 'ssh' ? 'SSH agent' : 'secret'}, which is refused: ${why}`
        : `${input.dockerfileLabel}:${instruction.line}: RUN --mount=type=${type} needs BuildKit; the classic builder would fail on it: remove the mount`,
    );
  }
  return problems;
}
