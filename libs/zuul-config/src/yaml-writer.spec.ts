/** The YAML writer, read back by a YAML parser: any string survives as itself, anchors resolve to their value. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { assertProperty } from '@imgmono/testing';
import { renderYaml, scalar } from './yaml-writer';

describe('YAML writer', () => {
  it.each([
    ['opendev/python-base', 'opendev/python-base'],
    ['^images/opendev/.*$', "'^images/opendev/.*$'"],
    ['yes', "'yes'"],
    ['1.0', "'1.0'"],
    ["it's", "'it''s'"],
    ['a: b', "'a: b'"],
    ['', "''"],
    ['debian/bookworm:push', 'debian/bookworm:push'],
  ])('writes %j as %s', (value, written) => {
    expect(scalar(value)).toBe(written);
  });

  it('writes any string so that a parser reads the same string back', () => {
    assertProperty(
      'YAML scalars read back unchanged',
      // eslint-disable-next-line no-control-regex -- control characters are left out of this property on purpose (YAML escapes them)
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }).filter((text) => !/[\u0000-\u001f\u007f-\u009f\ufeff\u2028\u2029]/.test(text)), (text) => {
        expect(parse(renderYaml([{ value: text }]))).toEqual([{ value: text }]);
      }),
      400,
    );
  });

  it('writes anchors once and aliases that resolve to the same value', () => {
    const text = renderYaml([{ a: { anchor: 'shared', value: [{ context: 'x', tags: ['latest'] }] } }, { b: { alias: 'shared' } }, { c: [] }]);
    expect(text).toBe("- a: &shared\n    - context: x\n      tags:\n        - latest\n\n- b: *shared\n\n- c: []\n");
    expect(parse(text)).toEqual([{ a: [{ context: 'x', tags: ['latest'] }] }, { b: [{ context: 'x', tags: ['latest'] }] }, { c: [] }]);
  });
});
