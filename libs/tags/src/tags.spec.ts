/** Tag cases as a table, one row a case (the way docker/metadata-action tests its rules). */
import { describe, expect, it } from 'vitest';
import { toSemver } from './image-version';
import { TagContext, computeTags, movingTags, parseTagRules } from './tag-rules';

const RULES = parseTagRules(['{{version}}', '{{major}}.{{minor}}', '{{major}}', 'latest', 'change_{{change}}', 'change_{{change}}_{{tag}}', 'sha-{{sha}}', 'inputs-{{digest}}']);
const SHA = '0123456789abcdef0123456789abcdef01234567';
const DIGEST = `sha256:${'fe'.repeat(32)}`;
const release: TagContext = { release: true, sha: SHA, digest: DIGEST };
const change: TagContext = { release: false, change: '1234', sha: SHA, digest: DIGEST };

describe('computeTags', () => {
  it.each<[string, string | undefined, TagContext, Record<string, string>, string[]]>([
    ['stable release', '1.2.3', release, {}, ['1.2.3', '1.2', '1', 'latest', 'sha-0123456', 'inputs-fefefefefefe']],
    ['v prefix', 'v1.2.3', release, {}, ['1.2.3', '1.2', '1', 'latest', 'sha-0123456', 'inputs-fefefefefefe']],
    ['pre-release moves only its own tag', '2.0.0-rc.1', release, {}, ['2.0.0-rc.1', 'sha-0123456', 'inputs-fefefefefefe']],
    ['PEP 440 dev version from git describe', '1.2.4.dev4', release, {}, ['1.2.4-dev.4', 'sha-0123456', 'inputs-fefefefefefe']],
    ['build metadata', '1.2.3+build.5', release, {}, ['1.2.3-build.5', '1.2', '1', 'latest', 'sha-0123456', 'inputs-fefefefefefe']],
    [
      'older than published never takes a moving tag back',
      '1.2.9',
      release,
      { latest: '1.3.0', '1': '1.3.0', '1.2': '1.2.5' },
      ['1.2.9', '1.2', 'sha-0123456', 'inputs-fefefefefefe'],
    ],
    ['equal to published moves (a rebuild)', '1.3.0', release, { latest: '1.3.0', '1': '1.3.0', '1.3': '1.3.0' }, ['1.3.0', '1.3', '1', 'latest', 'sha-0123456', 'inputs-fefefefefefe']],
    [
      'change build: change tags, one per release tag for promote',
      '1.2.3',
      change,
      {},
      ['change_1234', 'change_1234_1.2.3', 'change_1234_1.2', 'change_1234_1', 'change_1234_latest', 'sha-0123456', 'inputs-fefefefefefe'],
    ],
    ['change build of a pre-release', '2.0.0-rc.1', change, {}, ['change_1234', 'change_1234_2.0.0-rc.1', 'sha-0123456', 'inputs-fefefefefefe']],
    ['no version at all: latest only, in a release', undefined, { release: true, digest: DIGEST }, {}, ['latest', 'inputs-fefefefefefe']],
    ['no version in a change build', undefined, { release: false, change: '77', digest: DIGEST }, {}, ['change_77', 'change_77_latest', 'inputs-fefefefefefe']],
    ['neither release nor change: only the always-rules', '1.2.3', { release: false, sha: SHA }, {}, ['sha-0123456']],
  ])('%s', (_name, version, context, published, expected) => {
    expect(computeTags({ version, context, rules: RULES, published }).tags).toEqual(expected);
  });

  const CUSTOM = ['{{version}}', '{{major}}', '{{major}}-bookworm', 'latest'];
  it.each<[string, string[], string, Record<string, string>, string[]]>([
    ['a custom moving rule is guarded like {{major}}', CUSTOM, '1.1.5', { '1': '1.2.0', '1-bookworm': '1.2.0', latest: '1.2.0' }, ['1.1.5']],
    ['a custom moving rule moves when not lower', CUSTOM, '1.2.1', { '1': '1.2.0', '1-bookworm': '1.2.0', latest: '1.2.0' }, ['1.2.1', '1', '1-bookworm', 'latest']],
    ['each moving tag is judged by what it holds itself', CUSTOM, '1.1.5', { '1': '1.2.0', '1-bookworm': '1.1.0' }, ['1.1.5', '1-bookworm', 'latest']],
    ['{{major}}.{{minor}}.{{patch}} lacks the full version: it moves, and is guarded', ['{{version}}', '{{major}}.{{minor}}.{{patch}}-bookworm'], '1.2.3+build.7', { '1.2.3-bookworm': '1.2.4' }, ['1.2.3-build.7']],
  ])('custom rules: %s', (_name, rules, version, published, expected) => {
    expect(computeTags({ version, context: { release: true }, rules: parseTagRules(rules), published }).tags).toEqual(expected);
  });

  it('lists the moving tags a version would move, to be read from the registry by exactly those names', () => {
    const rules = parseTagRules(['{{version}}', '{{major}}', '{{major}}.{{minor}}', '{{major}}-bookworm', 'latest', 'change_{{change}}_{{tag}}', 'sha-{{sha}}']);
    expect(movingTags({ version: '1.1.5', rules })).toEqual(['1', '1.1', '1-bookworm', 'latest']);
    expect(movingTags({ version: '2.0.0-rc.1', rules })).toEqual(['latest']);
    expect(movingTags({ version: undefined, rules })).toEqual(['latest']);
  });

  it('says why each rule gave no tag', () => {
    const plan = computeTags({ version: '1.2.9', context: { release: true }, rules: RULES, published: { latest: '1.3.0' } });
    expect(plan.skipped).toEqual([
      { rule: 'latest', reason: "1.2.9 is lower than 1.3.0, already published as 'latest'" },
      { rule: 'change_{{change}}', reason: 'not a change build' },
      { rule: 'change_{{change}}_{{tag}}', reason: 'not a change build' },
      { rule: 'sha-{{sha}}', reason: 'no sha' },
      { rule: 'inputs-{{digest}}', reason: 'no digest' },
    ]);
    expect(computeTags({ version: '3.0.0-beta.2', context: { release: true }, rules: parseTagRules(['latest']) }).skipped).toEqual([
      { rule: 'latest', reason: "pre-release 3.0.0-beta.2 never moves 'latest'" },
    ]);
  });

  it.each([
    [['{{version}}'], 'not a version', /version 'not a version' is neither semver .* nor a PEP 440 version/],
    [['{{verison}}'], '1.0.0', /tag rule '\{\{verison\}\}': unknown placeholder \{\{verison\}\}/],
    [['release'], '1.0.0', /tag rule 'release': a fixed tag other than 'latest' would be overwritten by every build/],
    [['{{tag}}'], '1.0.0', /tag rule '\{\{tag\}\}': \{\{tag\}\} only makes sense with \{\{change\}\}/],
    [['v {{version}}'], '1.0.0', /tag rule 'v \{\{version\}\}': 'v ' has characters a tag cannot hold/],
    [['latest', 'latest'], '1.0.0', /tag rule 'latest' is listed twice/],
  ])('rejects rules %j with version %s', (rules, version, message) => {
    expect(() => computeTags({ version, context: release, rules: parseTagRules(rules) })).toThrow(message);
  });
});

describe('toSemver', () => {
  it.each([
    ['1.2.3', '1.2.3'],
    ['v1.2.3', '1.2.3'],
    ['1.2', '1.2.0'],
    ['1.2.3rc1', '1.2.3-rc.1'],
    ['1.2.3b2', '1.2.3-beta.2'],
    ['1.2.4.dev4', '1.2.4-dev.4'],
    ['1.2.4.dev4+dirty', '1.2.4-dev.4+dirty'],
    ['1.2.3.post2', '1.2.3+post.2'],
    ['0.0.0.dev7', '0.0.0-dev.7'],
  ])('%s -> %s', (raw, expected) => expect(toSemver(raw)).toBe(expected));
});
