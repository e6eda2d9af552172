import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './parse-dockerfile';
import { imageReferences, repositoryOf, resolveStages, substitute } from './stages';

const stagesOf = (text: string, args: Record<string, string> = {}) => resolveStages(parseDockerfile(text), args);

describe('resolveStages', () => {
  it('reads image, alias and platform of every FROM', () => {
    const stages = stagesOf('FROM --platform=linux/amd64 opendev/python-base AS Builder\nRUN x\nFROM builder\nFROM scratch');
    expect(stages.map(({ index, name, image, platform, fromStage }) => ({ index, name, image, platform, fromStage }))).toEqual([
      { index: 0, name: 'builder', image: 'opendev/python-base', platform: 'linux/amd64', fromStage: undefined },
      { index: 1, name: undefined, image: 'builder', platform: undefined, fromStage: 0 },
      { index: 2, name: undefined, image: 'scratch', platform: undefined, fromStage: undefined },
    ]);
  });

  it.each([
    ['ARG BASE=opendev/python-base\nFROM ${BASE}', {}, 'opendev/python-base'],
    ['ARG BASE=opendev/python-base\nFROM $BASE', {}, 'opendev/python-base'],
    ['ARG BASE=opendev/python-base\nFROM ${BASE}', { BASE: 'zuul/python-base' }, 'zuul/python-base'],
    ['ARG NS\nFROM ${NS:-opendev}/python-base:${TAG:-latest}', {}, 'opendev/python-base:latest'],
    ['ARG NS\nFROM ${NS:-opendev}/python-base', { NS: 'zuul' }, 'zuul/python-base'],
    ['ARG V="3.11"\nFROM python:${V}', {}, 'python:3.11'],
  ])('substitutes global ARGs: %s with %j', (text, args, image) => {
    expect(stagesOf(text, args)[0].image).toBe(image);
  });

  it('ignores an ARG declared after FROM for later FROM lines', () => {
    expect(stagesOf('FROM a\nARG B=x\nFROM ${B:-fallback}')[1].image).toBe('fallback');
  });

  it.each([
    ['RUN true', /no FROM instruction/],
    ['FROM', /FROM takes an image/],
    ['FROM a b c d', /FROM takes an image/],
    ['ARG X\nFROM ${X}', /empty after ARG substitution/],
    ['FROM ${X', /bad substitution/],
  ])('rejects %j', (text, message) => {
    expect(() => stagesOf(text)).toThrow(message);
  });
});

describe('imageReferences', () => {
  it('lists outside images of FROM and COPY --from, not stages or scratch', () => {
    const text = 'FROM opendev/python-base AS build\nFROM scratch\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=zuul/nodepool:latest /c /c\nFROM build';
    const parsed = parseDockerfile(text);
    expect(imageReferences(parsed, resolveStages(parsed))).toEqual([
      { image: 'opendev/python-base', line: 1, via: 'FROM' },
      { image: 'zuul/nodepool:latest', line: 5, via: 'COPY --from' },
    ]);
  });
});

describe('repositoryOf', () => {
  it.each([
    ['opendev/python-base', 'opendev/python-base'],
    ['opendev/python-base:3.11', 'opendev/python-base'],
    ['opendev/python-base@sha256:abc', 'opendev/python-base'],
    ['localhost:5000/opendev/python-base:1', 'localhost:5000/opendev/python-base'],
    ['localhost:5000/x', 'localhost:5000/x'],
  ])('%s -> %s', (ref, repo) => expect(repositoryOf(ref)).toBe(repo));
});

describe('substitute', () => {
  it('supports :+ and unset variables', () => {
    expect(substitute('${A:+yes}-${B:+yes}-$C', { A: '1' }, 1)).toBe('yes--');
  });
});
