import { describe, expect, it } from 'vitest';
import { jsonProblem } from './json-problem';

describe('jsonProblem', () => {
  it.each([
    ['{"name": "x"}', undefined],
    ['{"name": "broken",', 'Expected double-quoted property name at line 1, column 19'],
    ['{\n  "a": 1,\n  x\n}', 'Expected double-quoted property name at line 3, column 3'],
    ['', 'Unexpected end of JSON input at line 1, column 1'],
    ['{"a": 1}\n}', 'Unexpected non-whitespace character after JSON at line 2, column 1'],
  ])('%j', (text, expected) => {
    expect(jsonProblem(text)).toBe(expected);
  });
});
