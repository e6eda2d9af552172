/**
 * `.dockerignore` rules, with Docker's own semantics: patterns are matched as
 * moby's fileutils matches them (@balena/dockerignore is a port of it), and a
 * folder that a pattern excludes is left out whole, as the docker CLI's walk
 * skips it, unless an exception pattern is written under that folder's own
 * path (`!docs/keep.txt` reaches into an excluded `docs`; `!**\/keep.txt`
 * does not). Pure.
 */
import * as path from 'node:path';
import ignore from '@balena/dockerignore';

export interface ContextFilter {
  /** True when the path (relative, `/`-separated) is left out of the context, a folder above it included. */
  excludes(relativePath: string): boolean;
  /** True when the folder is left out whole: the walk need not enter it. */
  excludesFolder(relativePath: string): boolean;
  readonly patterns: readonly string[];
}

export function parseDockerignore(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** An exception pattern as the docker CLI compares it with a folder's path: cleaned, without `!` and a leading `/`. */
function exceptionPath(pattern: string): string {
  const cleaned = path.posix.normalize(pattern.slice(1).trim());
  return cleaned.length > 1 && cleaned.startsWith('/') ? cleaned.slice(1) : cleaned;
}

export function createContextFilter(patterns: readonly string[]): ContextFilter {
  const matcher = ignore().add([...patterns]);
  const exceptions = patterns.filter((pattern) => pattern.startsWith('!')).map(exceptionPath);
  /** An excluded folder the CLI still walks into: some exception is written under its path. */
  const reachedByException = (folder: string) => exceptions.some((exception) => `${exception}/`.startsWith(`${folder}/`));
  const excludesFolder = (folder: string) => folder !== '' && matcher.ignores(folder) && !reachedByException(folder);
  return {
    excludes(relativePath) {
      if (relativePath === '') return false;
      const parts = relativePath.split('/');
      for (let depth = 1; depth < parts.length; depth++) if (excludesFolder(parts.slice(0, depth).join('/'))) return true;
      return matcher.ignores(relativePath);
    },
    excludesFolder,
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
