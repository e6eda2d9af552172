/** The JSON schemas editors use and the parsers the targets use accept the same fields. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_FIELDS, SPEC_FIELDS } from './test-spec';

const schemas = path.resolve(__dirname, '../../../tools/image-plugin/schemas');
const read = (file: string) => JSON.parse(readFileSync(path.join(schemas, file), 'utf8'));

describe('the JSON schemas', () => {
  it('list the spec fields the parser knows', () => {
    const schema = read('image-test.schema.json');
    expect(Object.keys(schema.properties).filter((key) => !['$schema', 'description'].includes(key)).sort()).toEqual([...SPEC_FIELDS].sort());
    expect(Object.keys(schema.$defs.commandTest.properties).sort()).toEqual([...COMMAND_FIELDS].sort());
  });

  it('let scenario tests be command tests with an image, without a network of their own', () => {
    const schema = read('scenario.schema.json');
    expect(schema.properties.tests.items.$ref).toBe('image-test.schema.json#/$defs/commandTest');
    expect(schema.properties.tests.items.properties.network).toBe(false);
  });
});
