import { describe, expect, it } from 'vitest';
import { appendLabels, quoteLabelValue } from './append-labels';
import { parseDockerfile } from './parse-dockerfile';
import { pinParents } from './pin-parents';
import { resolveStages } from './stages';

const ID = 'sha256:' + 'a'.repeat(64);

describe('pinParents', () => {
  it('replaces workspace parents by their image id and keeps every line number', () => {
    const text = 'ARG BASE=opendev/python-base\nFROM --platform=linux/amd64 \\\n  ${BASE}:latest AS build\nRUN x\nFROM debian:bookworm\nCOPY --from=build /a /a\n';
    const stages = resolveStages(parseDockerfile(text));
    const pinned = pinParents(text, stages, new Map([['opendev/python-base', ID]]));
    expect(pinned.split('\n')).toEqual([
      'ARG BASE=opendev/python-base',
      `FROM --platform=linux/amd64 ${ID} AS build`,
      '',
      'RUN x',
      'FROM debian:bookworm',
      'COPY --from=build /a /a',
      '',
    ]);
  });

  it('leaves a Dockerfile without workspace parents unchanged', () => {
    const text = 'FROM scratch\nADD rootfs.tar /\n';
    expect(pinParents(text, resolveStages(parseDockerfile(text)), new Map([['x', ID]]))).toBe(text);
  });
});

describe('appendLabels', () => {
  it('adds one LABEL at the end of the last stage, sorted and quoted', () => {
    const text = 'FROM a\nRUN x\n\n';
    const stages = resolveStages(parseDockerfile(text));
    expect(appendLabels(text, stages, stages, { 'b.key': 'v"$HOME', 'a.key': '1' })).toBe(
      'FROM a\nRUN x\nLABEL "a.key"="1" "b.key"="v\\"\\$HOME"\n',
    );
  });

  it('puts the LABEL at the end of the target stage when later stages follow', () => {
    const text = 'FROM a AS one\nRUN x\nFROM b AS two\nRUN y\n';
    const all = resolveStages(parseDockerfile(text));
    const out = appendLabels(text, all.slice(0, 1), all, { k: 'v' });
    expect(out.split('\n')).toEqual(['FROM a AS one', 'RUN x', 'LABEL "k"="v"', 'FROM b AS two', 'RUN y', '']);
    expect(parseDockerfile(out).instructions[2]).toMatchObject({ keyword: 'LABEL', args: '"k"="v"' });
  });

  it('quotes values so the Dockerfile parser reads them back literally', () => {
    expect(quoteLabelValue('a b\\c')).toBe('"a b\\\\c"');
  });
});
