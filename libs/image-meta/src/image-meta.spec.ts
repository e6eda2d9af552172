import { describe, expect, it } from 'vitest';
import { BuildRecord, parseBuildRecord } from './build-record';
import { BuildInputs, inputDigest } from './input-digest';
import { LABEL, imageLabels } from './labels';

const ID_A = `sha256:${'a'.repeat(64)}`;
const ID_B = `sha256:${'b'.repeat(64)}`;

describe('imageLabels', () => {
  const created = new Date('2026-01-02T03:04:05Z');

  it('names the final base image by project and pins it by id', () => {
    const labels = imageLabels({
      project: 'opendev/diskimage-builder',
      inputDigest: 'sha256:d',
      parents: [
        { project: 'opendev/tools', imageId: ID_B },
        { project: 'opendev/openstacksdk', imageId: ID_A },
      ],
      created,
      workspaceSource: 'https://opendev.org/opendev/system-config',
      workspaceRevision: 'abc123',
    });
    expect(labels).toEqual({
      [LABEL.title]: 'opendev/diskimage-builder',
      [LABEL.created]: '2026-01-02T03:04:05.000Z',
      [LABEL.project]: 'opendev/diskimage-builder',
      [LABEL.inputDigest]: 'sha256:d',
      [LABEL.managed]: 'true',
      [LABEL.source]: 'https://opendev.org/opendev/system-config',
      [LABEL.revision]: 'abc123',
      [LABEL.baseName]: 'opendev/openstacksdk',
      [LABEL.baseDigest]: ID_A,
      [LABEL.parents]: `opendev/tools=${ID_B},opendev/openstacksdk=${ID_A}`,
    });
  });

  it('names an outside base without a digest, and no base for scratch', () => {
    expect(imageLabels({ project: 'p', inputDigest: 'd', parents: [], externalBase: 'busybox:1', created })[LABEL.baseName]).toBe('busybox:1');
    expect(imageLabels({ project: 'p', inputDigest: 'd', parents: [], created })).not.toHaveProperty(LABEL.baseName);
  });

  it('keeps no user information of any URL (a CI token in the origin URL or a source URL)', () => {
    const labels = imageLabels({
      project: 'p',
      inputDigest: 'd',
      parents: [],
      created,
      workspaceSource: 'https://gitlab-ci-token:glcbt-64_s3cr3t@git.example.invalid/imgmono.git',
      extra: { 'io.imgmono.source.x.url': 'https://ghp_t0ken@github.example/x.git' },
    });
    expect(labels[LABEL.source]).toBe('https://git.example.invalid/imgmono.git');
    expect(labels['io.imgmono.source.x.url']).toBe('https://github.example/x.git');
    expect(JSON.stringify(labels)).not.toMatch(/s3cr3t|t0ken/);
  });

  it('refuses extra labels that would overwrite its own', () => {
    expect(() => imageLabels({ project: 'p', inputDigest: 'd', parents: [], created, extra: { [LABEL.project]: 'x' } })).toThrow(
      /set by the build itself/,
    );
  });
});

describe('inputDigest', () => {
  const base: BuildInputs = {
    project: 'opendev/openstacksdk',
    contextSha256: 'c'.repeat(64),
    dockerfile: 'Dockerfile',
    dockerfileText: 'FROM x\n',
    buildArgs: { A: '1', B: '2' },
    parents: { 'opendev/python-base': ID_A },
  };

  it('is stable and ignores key order', () => {
    expect(inputDigest({ ...base, buildArgs: { B: '2', A: '1' } })).toBe(inputDigest(base));
    expect(inputDigest(base)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<BuildInputs>]>([
    ['project', { project: 'zuul/openstacksdk' }],
    ['context bytes', { contextSha256: 'd'.repeat(64) }],
    ['Dockerfile path', { dockerfile: 'Dockerfile.zuul' }],
    ['Dockerfile text', { dockerfileText: 'FROM y\n' }],
    ['a build argument', { buildArgs: { A: '1', B: '3' } }],
    ['target stage', { target: 'final' }],
    ['platform', { platform: 'linux/arm64' }],
    ['a parent image id', { parents: { 'opendev/python-base': ID_B } }],
    ['a generated input', { generated: { 'rootfs.tar': '{}' } }],
  ])('changes when the %s changes', (_name, change) => {
    expect(inputDigest({ ...base, ...change })).not.toBe(inputDigest(base));
  });
});

describe('build record parsing', () => {
  const record: BuildRecord = {
    schemaVersion: 1,
    project: 'opendev/python-base',
    status: 'built',
    imageId: ID_A,
    tags: ['opendev/python-base:latest'],
    inputDigest: 'sha256:x',
    parents: [{ project: 'debian/bookworm', imageId: ID_B }],
    size: 10,
    seconds: 1.5,
    finishedAt: '2026-01-01T00:00:00.000Z',
  };

  it.each([
    ['{', /not valid JSON/],
    ['[]', /not a build record \(schemaVersion undefined/],
    [JSON.stringify({ ...record, status: 'done' }), /bad status done/],
    [JSON.stringify({ ...record, imageId: 'abc' }), /no image id/],
  ])('rejects a broken record %s', (text, message) => {
    expect(() => parseBuildRecord(text, 'dist/images/x/build.json')).toThrow(message);
  });
});
