/** The JSON schemas editors use and the parsers the targets use accept the same fields. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIO_FIELDS, SERVICE_CAPABILITIES, SERVICE_FIELDS, STEP_FIELDS, parseScenario } from './scenario-spec';
import { COMMAND_FIELDS, SPEC_FIELDS } from './test-spec';

const schemas = path.resolve(__dirname, '../../../tools/image-plugin/schemas');
const read = (file: string) => JSON.parse(readFileSync(path.join(schemas, file), 'utf8'));

describe('the JSON schemas', () => {
  it('list the spec fields the parser knows', () => {
    const schema = read('image-test.schema.json');
    expect(Object.keys(schema.properties).filter((key) => !['$schema', 'description'].includes(key)).sort()).toEqual([...SPEC_FIELDS].sort());
    expect(Object.keys(schema.$defs.commandTest.properties).sort()).toEqual([...COMMAND_FIELDS].sort());
  });

  it('let scenario setup steps and tests be command tests with an image and a user, without a network of their own', () => {
    const schema = read('scenario.schema.json');
    const fields = (object: Record<string, unknown>) => Object.keys(object).filter((key) => !['$schema', 'description'].includes(key)).sort();
    expect(fields(schema.properties)).toEqual([...SCENARIO_FIELDS].sort());
    expect(fields(schema.properties.services.items.properties)).toEqual([...SERVICE_FIELDS].sort());
    expect(schema.properties.tests.items.$ref).toBe('#/$defs/step');
    expect(schema.properties.setup.items.$ref).toBe('#/$defs/step');
    const step = schema.$defs.step;
    expect(step.$ref).toBe('image-test.schema.json#/$defs/commandTest');
    expect(step.properties.network).toBe(false);
    const stepFields = [...COMMAND_FIELDS, ...Object.keys(step.properties)].filter((field) => step.properties[field] !== false);
    expect([...new Set(stepFields)].sort()).toEqual([...STEP_FIELDS].sort());
  });

  it('allow a scenario service the same capabilities and devices as the parser', () => {
    const service = read('scenario.schema.json').properties.services.items.properties;
    expect([...service.capabilities.items.enum].sort()).toEqual([...SERVICE_CAPABILITIES].sort());
    const devicePattern = new RegExp(service.devices.items.pattern);
    const parses = (device: string) => {
      const json = { services: [{ name: 's', image: 'a/b', command: ['x'], ready: { command: ['y'] }, devices: [device] }], tests: [{ name: 't', image: 'a/b', command: 'z' }] };
      try {
        parseScenario(JSON.stringify(json), 'scenario.json');
        return true;
      } catch {
        return false;
      }
    };
    for (const device of ['/dev/loop-control', '/dev/loop0', '/dev/loop127', '/dev/net/tun', '/dev/fuse', '/dev/sda', '/dev/loop', '/dev/mem', '/dev/loop0/x', 'dev/fuse']) {
      expect(devicePattern.test(device), device).toBe(parses(device));
    }
  });
});

