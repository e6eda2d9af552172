import { describe, expect, it } from 'vitest';
import { createContextFilter, excludingPattern, parseDockerignore } from './dockerignore';

describe('.dockerignore', () => {
  const patterns = parseDockerignore('# comment\n\n*.log\nbuild\n!build/keep.txt\n**/*.pyc\n');

  it('drops comments and blank lines', () => {
    expect(patterns).toEqual(['*.log', 'build', '!build/keep.txt', '**/*.pyc']);
  });

  it.each([
    ['app.log', true],
    ['sub/app.log', false], // '*' does not cross folders in Docker's rules
    ['build', true],
    ['build/out.bin', true],
    ['build/keep.txt', false],
    ['a/b/c.pyc', true],
    ['src/main.py', false],
  ])('%s excluded: %s', (file, excluded) => {
    expect(createContextFilter(patterns).excludes(file)).toBe(excluded);
  });

  it('knows when exceptions forbid pruning folders', () => {
    expect(createContextFilter(patterns).hasExceptions).toBe(true);
    expect(createContextFilter(['build']).hasExceptions).toBe(false);
  });

  it('names the pattern that excludes a path', () => {
    expect(excludingPattern(['*', '!src'], 'Dockerfile')).toBe('*');
    expect(excludingPattern(['*', '!Dockerfile'], 'Dockerfile')).toBeUndefined();
  });
});
