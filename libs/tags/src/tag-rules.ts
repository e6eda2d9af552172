/**
 * Tag rules and tag computation, in the manner of docker/metadata-action:
 * rule strings are parsed up front into typed rules, and tags are computed
 * from the image's version, the run's context and what is already
 * published. Pure: the registry's state comes in as data.
 *
 * Placeholders: {{version}} {{major}} {{minor}} {{patch}} (from the version),
 * {{change}} {{patchset}} (change builds), {{tag}} (with {{change}}: once for
 * every release tag, as Zuul's promote expects: change_<N>_<tag>), {{sha}}
 * (the primary source's short commit), {{digest}} (the build's input digest),
 * {{buildset}}, {{branch}}; and the literal rule `latest`.
 */
import semver from 'semver';
import { isPrerelease, toSemver } from './image-version';
import { isValidTag, shortDigest } from './tag-names';
import { UserError } from '@imgmono/errors';

export class TagRuleError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

const PLACEHOLDERS = ['version', 'major', 'minor', 'patch', 'change', 'patchset', 'tag', 'sha', 'digest', 'buildset', 'branch'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

export type RuleKind =
  /** {{version}}-style: release builds only; those without the full {{version}} move, and are guarded. */
  | 'release'
  /** the literal `latest`: release builds, stable versions, never backwards. */
  | 'latest'
  /** {{change}}: change builds only. */
  | 'change'
  /** {{change}} with {{tag}}: one per release tag, in change builds. */
  | 'change-tag'
  /** sha, digest, buildset, branch: every build. */
  | 'always';

export interface TagRule {
  text: string;
  kind: RuleKind;
  placeholders: Placeholder[];
  /**
   * A release rule without the full {{version}} ({{major}}, {{major}}.{{minor}}, {{major}}-bookworm,
   * {{major}}.{{minor}}.{{patch}}): the tag it gives moves from version to version, so, like `latest`,
   * it is guarded: never moved back to a lower version than the one it holds, never moved by a pre-release.
   */
  floating: boolean;
}

export function parseTagRule(text: string): TagRule {
  const rule = text.trim();
  if (rule === '') throw new TagRuleError('an empty tag rule: remove it');
  const placeholders: Placeholder[] = [];
  for (const match of rule.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    const name = match[1] as Placeholder;
    if (!PLACEHOLDERS.includes(name)) {
      throw new TagRuleError(`tag rule '${rule}': unknown placeholder {{${match[1]}}} (known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')})`);
    }
    placeholders.push(name);
  }
  const literal = rule.replace(/\{\{[^}]*\}\}/g, '');
  if (/[^A-Za-z0-9_.-]/.test(literal)) throw new TagRuleError(`tag rule '${rule}': '${literal}' has characters a tag cannot hold (letters, digits, '_', '.', '-')`);
  const has = (...names: Placeholder[]) => names.some((name) => placeholders.includes(name));
  if (has('tag') && !has('change')) throw new TagRuleError(`tag rule '${rule}': {{tag}} only makes sense with {{change}} (change_{{change}}_{{tag}})`);
  let kind: RuleKind;
  if (rule === 'latest') kind = 'latest';
  else if (has('change', 'patchset')) kind = has('tag') ? 'change-tag' : 'change';
  else if (has('version', 'major', 'minor', 'patch')) kind = 'release';
  else if (placeholders.length === 0) throw new TagRuleError(`tag rule '${rule}': a fixed tag other than 'latest' would be overwritten by every build; use placeholders`);
  else kind = 'always';
  const floating = kind === 'release' && !has('version');
  return { text: rule, kind, placeholders, floating };
}

export function parseTagRules(texts: readonly string[]): TagRule[] {
  const rules = texts.map(parseTagRule);
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.text)) throw new TagRuleError(`tag rule '${rule.text}' is listed twice`);
    seen.add(rule.text);
  }
  return rules;
}

export interface TagContext {
  /** A release build (a merged change or a tag): release rules apply. */
  release: boolean;
  change?: string;
  patchset?: string;
  buildset?: string;
  branch?: string;
  /** Full or short commit of the primary source. */
  sha?: string;
  /** The build's input digest (sha256:...). */
  digest?: string;
}

export interface TagPlan {
  tags: string[];
  skipped: Array<{ rule: string; reason: string }>;
}

export interface TagInput {
  /** The image's version (its primary source's); none for images without one. */
  version?: string;
  context: TagContext;
  rules: readonly TagRule[];
  /** For moving tags (see movingTags): the version the registry holds under exactly that tag. */
  published?: Readonly<Record<string, string>>;
}

/**
 * Why a moving tag must not move to this version, or undefined when it may: a pre-release never
 * moves one, and neither does a version lower than the one the tag already holds.
 */
export function movingTagRefusal(tag: string, version: string | undefined, published: string | undefined): string | undefined {
  if (version === undefined) return undefined;
  if (isPrerelease(toSemver(version))) return `pre-release ${version} never moves '${tag}'`;
  if (published !== undefined && semver.lt(toSemver(version).split('+')[0], toSemver(published).split('+')[0])) {
    return `${version} is lower than ${published}, already published as '${tag}'`;
  }
  return undefined;
}

/**
 * The moving tags this build's release rules give (`latest` and every floating rule, rendered for
 * this version): the tags whose current version must be read from the registry, exactly as named,
 * before computeTags decides whether they may move.
 */
export function movingTags(input: Omit<TagInput, 'published' | 'context'>): string[] {
  const tags = new Set<string>();
  for (const rule of input.rules) {
    if (rule.kind === 'latest') tags.add('latest');
    else if (rule.floating && input.version !== undefined) {
      const tag = computeTags({ version: input.version, context: { release: true }, rules: [rule] }).tags[0];
      if (tag !== undefined) tags.add(tag);
    }
  }
  return [...tags];
}

export function computeTags(input: TagInput): TagPlan {
  const version = input.version !== undefined ? toSemver(input.version) : undefined;
  const plan: TagPlan = { tags: [], skipped: [] };
  const skip = (rule: TagRule, reason: string) => plan.skipped.push({ rule: rule.text, reason });
  const ctx = input.context;
  const core = version?.split('+')[0];
  const values: Partial<Record<Placeholder, string>> = {
    version: version?.replace(/\+/g, '-'),
    major: core !== undefined ? String(semver.major(core)) : undefined,
    minor: core !== undefined ? String(semver.minor(core)) : undefined,
    patch: core !== undefined ? String(semver.patch(core)) : undefined,
    change: ctx.change,
    patchset: ctx.patchset,
    buildset: ctx.buildset,
    branch: ctx.branch?.replace(/[^A-Za-z0-9_.-]/g, '-'),
    sha: ctx.sha?.slice(0, 7),
    digest: ctx.digest !== undefined ? shortDigest(ctx.digest) : undefined,
  };
  const render = (rule: TagRule, extra: Partial<Record<Placeholder, string>> = {}): string | undefined => {
    const all = { ...values, ...extra };
    const missing = rule.placeholders.filter((name) => all[name] === undefined || all[name] === '');
    if (missing.length > 0) {
      skip(rule, `no ${missing.map((m) => (m === 'version' || m === 'major' || m === 'minor' || m === 'patch' ? 'version' : m)).filter((v, i, a) => a.indexOf(v) === i).join(', ')}`);
      return undefined;
    }
    const tag = rule.text.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (_m, name: Placeholder) => all[name]!);
    if (!isValidTag(tag)) throw new TagRuleError(`tag rule '${rule.text}' gives '${tag}', which is not a valid tag`);
    return tag;
  };

  /** Release tags for this version, guarded; used directly in release builds and behind change_<N>_ in change builds. */
  const releaseTags = (record: boolean): string[] => {
    const out: string[] = [];
    for (const rule of input.rules) {
      if (rule.kind !== 'release' && rule.kind !== 'latest') continue;
      const quiet = (reason: string) => record && skip(rule, reason);
      if (rule.kind === 'release' && version === undefined) {
        quiet('no version');
        continue;
      }
      const tag = rule.kind === 'latest' ? 'latest' : record ? render(rule) : renderQuiet(rule);
      if (tag === undefined) continue;
      if (rule.kind === 'latest' || rule.floating) {
        const refusal = movingTagRefusal(tag, input.version === undefined ? undefined : version, input.published?.[tag]);
        if (refusal !== undefined) {
          quiet(refusal);
          continue;
        }
      }
      out.push(tag);
    }
    return out;
  };
  const renderQuiet = (rule: TagRule): string | undefined => {
    const before = plan.skipped.length;
    const tag = render(rule);
    plan.skipped.length = before;
    return tag;
  };

  if (ctx.release) plan.tags.push(...releaseTags(true));
  for (const rule of input.rules) {
    if (rule.kind === 'always') {
      const tag = render(rule);
      if (tag !== undefined) plan.tags.push(tag);
    } else if (rule.kind === 'change' || rule.kind === 'change-tag') {
      if (ctx.change === undefined) {
        skip(rule, 'not a change build');
        continue;
      }
      if (rule.kind === 'change') {
        const tag = render(rule);
        if (tag !== undefined) plan.tags.push(tag);
      } else {
        for (const releaseTag of releaseTags(false)) {
          const tag = render(rule, { tag: releaseTag });
          if (tag !== undefined) plan.tags.push(tag);
        }
      }
    } else if (!ctx.release) {
      skip(rule, 'not a release build');
    }
  }
  plan.tags = [...new Set(plan.tags)];
  return plan;
}
