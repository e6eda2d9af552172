/**
 * `.dockerignore` rules, with Docker's own matching semantics
 * (@balena/dockerignore is a port of moby's fileutils). Pure.
 */
import ignore from '@balena/dockerignore';

export interface ContextFilter {
  /** True when the path (relative, `/`-separated) is left out of the context. */
  excludes(relativePath: string): boolean;
  /** True when some `!` rule may bring back paths below an excluded folder, so the walk cannot prune. */
  readonly hasExceptions: boolean;
  readonly patterns: readonly string[];
}

export function parseDockerignore(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

export function createContextFilter(patterns: readonly string[]): ContextFilter {
  const matcher = ignore().add([...patterns]);
  return {
    excludes: (relativePath) => relativePath !== '' && matcher.ignores(relativePath),
    hasExceptions: patterns.some((pattern) => pattern.startsWith('!')),
    patterns,
  };
}

/** The first pattern that excludes the path, for error messages. */
export function excludingPattern(patterns: readonly string[], relativePath: string): string | undefined {
  let found: string | undefined;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (ignore().add([pattern.slice(1)]).ignores(relativePath)) found = undefined;
    } else if (ignore().add([pattern]).ignores(relativePath)) {
      found = pattern;
    }
  }
  return found;
}
