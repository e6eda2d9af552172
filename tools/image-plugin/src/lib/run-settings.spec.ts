/** The README's settings table and the settings the targets declare as inputs are one list. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_SETTINGS, envInputs, settingsNamedInputs, settingsTableRows } from './run-settings';

const README = path.resolve(__dirname, '../../../../README.md');
const NX_JSON = path.resolve(__dirname, '../../../../nx.json');

describe('run settings', () => {
  it("are the README's settings table, row for row", () => {
    const text = readFileSync(README, 'utf8');
    const section = text.slice(text.indexOf('\n## Settings'));
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toEqual(settingsTableRows());
  });

  it('name every variable the executors read', () => {
    const names = RUN_SETTINGS.map((setting) => setting.name);
    for (const name of ['IMAGE_NO_CACHE', 'IMAGE_BATCH_PARALLEL', 'CI', 'IMAGE_SOURCES_STRICT', 'IMAGE_REGISTRY_PASSWORD']) expect(names).toContain(name);
    expect(envInputs('image', ['diskimage-builder'])).toContainEqual({ env: 'IMAGE_SOURCE_DISKIMAGE_BUILDER' });
  });

  it("are the workspace's settings inputs in nx.json, target for target (regenerate them from settingsNamedInputs)", () => {
    const namedInputs = JSON.parse(readFileSync(NX_JSON, 'utf8')).namedInputs as Record<string, unknown>;
    for (const [name, inputs] of Object.entries(settingsNamedInputs())) expect(namedInputs[name], `nx.json namedInputs.${name}`).toEqual(inputs);
  });
});
