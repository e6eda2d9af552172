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

  it('leaves an excluded folder out whole unless an exception is written under its path, as the docker CLI walks', () => {
    expect(createContextFilter(patterns).excludesFolder('build')).toBe(false); // !build/keep.txt reaches into it
    expect(createContextFilter(['build']).excludesFolder('build')).toBe(true);
    // found by the property test against the docker CLI: a ** exception does not reach into an excluded folder
    const cache = createContextFilter(['.cache', '!**/keep.txt']);
    expect(cache.excludesFolder('.cache')).toBe(true);
    expect(cache.excludes('.cache/keep.txt')).toBe(true);
    expect(cache.excludes('keep.txt')).toBe(false);
    expect(createContextFilter(['/a', '!/a/b/c.txt']).excludes('a/b/c.txt')).toBe(false);
  });

  it('names the pattern that excludes a path', () => {
    expect(excludingPattern(['*', '!src'], 'Dockerfile')).toBe('*');
    expect(excludingPattern(['*', '!Dockerfile'], 'Dockerfile')).toBeUndefined();
  });
});
