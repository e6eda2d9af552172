import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '@imgmono/dockerfile';
import { planParents } from './image-parents';

const plan = (text: string, declared: string[], extra: { target?: string; buildArgs?: Record<string, string> } = {}) =>
  planParents({
    dockerfile: parseDockerfile(text),
    dockerfileLabel: 'images/opendev/x/Dockerfile',
    projectFileLabel: 'images/opendev/x/project.json',
    buildArgs: extra.buildArgs ?? {},
    target: extra.target,
    workspaceImages: new Set(['debian/bookworm', 'opendev/python-base', 'opendev/openstacksdk']),
    declaredParents: declared,
  });

describe('planParents', () => {
  it('finds workspace parents through ARGs and keeps the final base last', () => {
    const result = plan('ARG BASE=opendev/python-base\nFROM opendev/openstacksdk AS sdk\nFROM ${BASE}\nCOPY --from=sdk /a /a', [
      'opendev/python-base',
      'opendev/openstacksdk',
    ]);
    expect(result.workspaceParents).toEqual(['opendev/openstacksdk', 'opendev/python-base']);
    expect(result.problems).toEqual([]);
    expect(result.externalBase).toBeUndefined();
  });

  it('names the line, the project file and the fix when a parent is not declared', () => {
    expect(plan('FROM opendev/python-base:latest\n', []).problems).toEqual([
      'images/opendev/x/Dockerfile:1: FROM opendev/python-base:latest is a workspace image missing from implicitDependencies in images/opendev/x/project.json: add "opendev/python-base" there so Nx builds it first',
    ]);
  });

  it('treats non-workspace images as external, scratch as nothing', () => {
    const result = plan('FROM busybox:1 AS b\nFROM scratch\nCOPY --from=b /bin/busybox /busybox', []);
    expect(result.externalImages).toEqual([{ image: 'busybox:1', line: 1 }]);
    expect(result.externalBase).toBeUndefined();
    expect(plan('FROM busybox:1\n', []).externalBase).toBe('busybox:1');
  });

  it('only counts stages up to the target', () => {
    const text = 'FROM opendev/python-base AS one\nFROM opendev/openstacksdk AS two\n';
    expect(plan(text, ['opendev/python-base'], { target: 'one' }).workspaceParents).toEqual(['opendev/python-base']);
    expect(plan(text, [], { target: 'three' }).problems[0]).toMatch(/target stage 'three' is not defined \(stages: one, two\)/);
  });

  it('follows a build argument that switches the parent', () => {
    const result = plan('ARG BASE=opendev/python-base\nFROM ${BASE}', ['opendev/openstacksdk'], { buildArgs: { BASE: 'opendev/openstacksdk' } });
    expect(result.workspaceParents).toEqual(['opendev/openstacksdk']);
    expect(result.problems).toEqual([]);
  });
});
