import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '@imgmono/dockerfile';
import { buildPolicyProblems, secretsCarried } from './build-policy';

const token = { name: 'SITE_TOKEN', value: 'hunter2-token' };
const check = (dockerfile: string, buildArgs: Record<string, string> = {}, secrets: string[] = []) =>
  buildPolicyProblems({ dockerfile: parseDockerfile(dockerfile), dockerfileLabel: 'images/a/b/Dockerfile', projectFileLabel: 'images/a/b/project.json', buildArgs, secrets, secretValues: [token] });

describe('build policy', () => {
  it('lets an ordinary build through', () => {
    expect(check('FROM a\nARG VERSION\nRUN --network=host true\n', { VERSION: '1', PIP_INDEX: 'x' })).toEqual([]);
  });

  it.each<[string, string, Record<string, string>, string[], RegExp]>([
    ['a secret the target asks for', 'FROM a\n', {}, ['PYPI_UPLOAD'], /^images\/a\/b\/project.json: the image asks for the secret PYPI_UPLOAD, which is refused: the classic builder this workspace drives has no build secrets/],
    ['a build argument that looks like a secret', 'FROM a\n', { REGISTRY_PASSWORD: 'hunter2' }, [], /^images\/a\/b\/project.json: build argument REGISTRY_PASSWORD looks like a secret and is refused: .*image history/],
    ['an API token argument', 'FROM a\n', { GITHUB_TOKEN: 'x' }, [], /build argument GITHUB_TOKEN looks like a secret/],
    ['a secret mount', 'FROM a\nRUN --mount=type=secret,id=npmrc cat /run/secrets/npmrc\n', {}, [], /^images\/a\/b\/Dockerfile:2: RUN --mount=type=secret asks for a secret, which is refused/],
    ['an ssh mount', 'FROM a\nRUN --mount=type=ssh git clone x\n', {}, [], /^images\/a\/b\/Dockerfile:2: RUN --mount=type=ssh asks for a SSH agent/],
    ['an argument carrying a marked secret value', 'FROM a\n', { SITE_URL: 'https://x.example/?t=hunter2-token' }, [], /^images\/a\/b\/project.json: build argument SITE_URL carries the value of SITE_TOKEN, which is secret, and is refused/],
    ['an argument with a password in a URL', 'FROM a\n', { PIP_INDEX_URL: 'https://ci:hunter2@pypi.example/simple' }, [], /build argument PIP_INDEX_URL carries a URL with user information \(a user name, password or token\) in it, and is refused/],
    ['an argument with a token as the user of a URL', 'FROM a\n', { PIP_INDEX_URL: 'https://hunter2@pypi.example/simple' }, [], /build argument PIP_INDEX_URL carries a URL with user information/],
    ['a cache mount', 'FROM a\nRUN --mount=type=cache,target=/root/.cache pip install x\n', {}, [], /^images\/a\/b\/Dockerfile:2: RUN --mount=type=cache needs BuildKit/],
  ])('refuses %s', (_what, dockerfile, args, secrets, message) => {
    const problems = check(dockerfile, args, secrets);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).not.toContain('hunter2'); // the value itself is never repeated
  });
});

describe('secretsCarried', () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ['nothing secret', { VERSION: '1.2', URL: 'https://opendev.org/x', SSH: 'git@opendev.org:x' }, undefined],
    ['a marked value inside a longer one', { B: 'ok', A: 'Bearer hunter2-token' }, 'A carries the value of SITE_TOKEN, which is secret'],
    ['a URL password', { 'io.imgmono.source.x.url': 'https://user:pw@host/x.git' }, 'io.imgmono.source.x.url carries a URL with user information (a user name, password or token) in it'],
    ['a token as the user of a URL', { 'org.opencontainers.image.source': 'https://ghp_0123456789@github.example/x.git' }, 'org.opencontainers.image.source carries a URL with user information (a user name, password or token) in it'],
  ])('%s', (_case, values, expected) => {
    expect(secretsCarried(values, [token])).toBe(expected);
  });
});
