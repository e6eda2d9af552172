import { describe, expect, it } from 'vitest';
import { canonicalRootfsSpec, mmdebstrapArguments, parseRootfsSpec } from './rootfs-spec';

describe('rootfs.json', () => {
  it('fills defaults and sorts packages', () => {
    const spec = parseRootfsSpec('{"suite":"bookworm","include":["zsh","ca-certificates"]}', 'rootfs.json');
    expect(spec).toEqual({
      builder: 'mmdebstrap',
      suite: 'bookworm',
      variant: 'minbase',
      mirrors: ['http://deb.debian.org/debian'],
      include: ['ca-certificates', 'zsh'],
      architecture: undefined,
    });
    expect(mmdebstrapArguments(spec, '/tmp/out.tar')).toEqual([
      '--variant=minbase',
      '--format=tar',
      '--include=ca-certificates,zsh',
      'bookworm',
      '/tmp/out.tar',
      'http://deb.debian.org/debian',
    ]);
  });

  it('gives one canonical text whatever the package order', () => {
    const a = parseRootfsSpec('{"suite":"bookworm","include":["bb","a1"]}', 'f');
    const b = parseRootfsSpec('{"include":["a1","bb"],"suite":"bookworm"}', 'f');
    expect(canonicalRootfsSpec(a)).toBe(canonicalRootfsSpec(b));
  });

  it.each([
    ['{', /images\/x\/rootfs.json: not valid JSON/],
    ['[]', /must be a JSON object/],
    ['{"suite":"Bookworm!"}', /"suite" must name a Debian suite/],
    ['{"suite":"bookworm","variant":"tiny"}', /"variant" must be one of extract, custom/],
    ['{"suite":"bookworm","include":["ok","Bad Name"]}', /"include" must be a list of Debian package names/],
    ['{"suite":"bookworm","mirrors":["ftp://x"]}', /"mirrors" must be a list of mirror URLs/],
    ['{"suite":"bookworm","packages":[]}', /"packages" is not a rootfs setting/],
    ['{"suite":"bookworm","builder":"debootstrap"}', /"builder" must be "mmdebstrap"/],
  ])('rejects %s', (text, message) => {
    expect(() => parseRootfsSpec(text, 'images/x/rootfs.json')).toThrow(message);
  });
});
