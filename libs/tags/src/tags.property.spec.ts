/**
 * Moving tags, for any history: a registry (tag -> version) is simulated as
 * push does it (read every moving tag under its own name, compute, push), for
 * any sequence of release versions (stable and pre-release, higher, lower and
 * equal) and any set of rules. No moving tag ever points at a version lower
 * than one it pointed at before, a pre-release never moves one, and the full
 * version tag is always pushed.
 */
import fc from 'fast-check';
import semver from 'semver';
import { describe, it } from 'vitest';
import { assertProperty } from '@imgmono/testing';
import { toSemver } from './image-version';
import { computeTags, movingTags, parseTagRules } from './tag-rules';

const versionArb = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.option(fc.constantFrom('rc.1', 'rc.2', 'beta.1', 'dev.4'), { nil: undefined }))
  .map(([major, minor, patch, pre]) => `${major}.${minor}.${patch}${pre !== undefined ? `-${pre}` : ''}`);

/** Moving rules of every shape the placeholders allow, and pinned ones beside them. */
const ruleSetArb = fc
  .subarray(['{{major}}', '{{major}}.{{minor}}', '{{major}}-bookworm', 'v{{major}}.{{minor}}-slim', '{{major}}.{{minor}}.{{patch}}-debian', 'latest', 'stable-{{minor}}'], { minLength: 1 })
  .map((moving) => ['{{version}}', ...moving]);

const core = (version: string) => toSemver(version).split('+')[0];

/** The tags the rules without the full {{version}} give for a version: the moving ones, worked out here, not by the code under test. */
function movingByDefinition(ruleTexts: string[], version: string): Set<string> {
  const [major, minor, patch] = core(version).split('-')[0].split('.');
  return new Set(
    ruleTexts.filter((rule) => !rule.includes('{{version}}')).map((rule) => rule.replace('{{major}}', major).replace('{{minor}}', minor).replace('{{patch}}', patch)),
  );
}

describe('moving tags (property)', () => {
  it('never go back to a lower version, and never move on a pre-release, whatever the history and the rules', () => {
    assertProperty(
      'moving tags never go back',
      fc.property(ruleSetArb, fc.array(versionArb, { minLength: 1, maxLength: 12 }), (ruleTexts, history) => {
        const rules = parseTagRules(ruleTexts);
        const registry = new Map<string, string>();
        for (const version of history) {
          const published: Record<string, string> = {};
          for (const tag of movingTags({ version, rules })) {
            const held = registry.get(tag);
            if (held !== undefined) published[tag] = held;
          }
          const plan = computeTags({ version, context: { release: true }, rules, published });
          const moving = movingByDefinition(ruleTexts, version);
          if (!plan.tags.includes(version)) throw new Error(`the full version tag ${version} was not pushed: ${plan.tags.join(' ')}`);
          for (const tag of plan.tags) {
            const before = registry.get(tag);
            if (moving.has(tag)) {
              if (semver.prerelease(core(version)) !== null) throw new Error(`pre-release ${version} moved '${tag}'`);
              if (before !== undefined && semver.lt(core(version), core(before))) throw new Error(`'${tag}' went back from ${before} to ${version}`);
            }
            registry.set(tag, version);
          }
        }
      }),
      300,
    );
  });
});
