/**
 * Namespace rules, declared once in `namespaces.json` at the workspace root:
 * each namespace names its base image, every image of the namespace descends
 * from it, and the namespace may build on the namespaces it lists (none by
 * default). Pure: parsing and validation.
 */
import { NAMESPACES_FILE } from '@imgmono/workspace';
import { UserError } from '@imgmono/errors';

export interface NamespaceRule {
  /** The image every image of the namespace descends from (or is). */
  base: string;
  /** Other namespaces whose images this namespace's images may use as parents. */
  mayBuildOn: string[];
  description?: string;
}

export type NamespaceRules = Map<string, NamespaceRule>;

export class NamespaceRulesError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

export const NAMESPACE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function parseNamespaceRules(text: string, file = NAMESPACES_FILE): NamespaceRules {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new NamespaceRulesError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const namespaces = (data as { namespaces?: unknown } | null)?.namespaces;
  if (typeof namespaces !== 'object' || namespaces === null || Array.isArray(namespaces)) {
    throw new NamespaceRulesError(`${file}: must be {"namespaces": {"<namespace>": {"base": "<namespace>/<image>", "mayBuildOn": []}}}`);
  }
  const rules: NamespaceRules = new Map();
  for (const [name, value] of Object.entries(namespaces as Record<string, unknown>)) {
    const where = `${file}: namespace "${name}"`;
    if (!NAMESPACE.test(name)) throw new NamespaceRulesError(`${where}: not a valid namespace (lowercase letters, digits, separators . _ __ -)`);
    const rule = value as Partial<NamespaceRule> | null;
    if (typeof rule?.base !== 'string' || !rule.base.includes('/')) throw new NamespaceRulesError(`${where}: "base" must name an image project, such as "${name}/python-base"`);
    const mayBuildOn = rule.mayBuildOn ?? [];
    if (!Array.isArray(mayBuildOn) || mayBuildOn.some((n) => typeof n !== 'string')) {
      throw new NamespaceRulesError(`${where}: "mayBuildOn" must be a list of namespaces`);
    }
    rules.set(name, { base: rule.base, mayBuildOn: mayBuildOn as string[], description: rule.description });
  }
  for (const [name, rule] of rules) {
    for (const other of rule.mayBuildOn) {
      if (!rules.has(other)) throw new NamespaceRulesError(`${file}: namespace "${name}" may build on "${other}", which is not declared: declare it or remove it`);
    }
  }
  return rules;
}

export function namespaceOf(image: string): string {
  return image.split('/')[0];
}
