/**
 * The model an image task loads: its own image and the sources, on a real
 * folder. Another image's files are not read, so a task costs the same in a
 * workspace of 10 images or of 1,000.
 */
import type { ProjectConfiguration } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imageTaskModel, modelFromNx } from './workspace-model';

describe('imageTaskModel', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function write(file: string, text: string): void {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }

  it("reads the task's image and the source declarations, and names every image", async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'task-model-'));
    write('images/opendev/python-base/Dockerfile', 'FROM debian/bookworm\n');
    write('images/opendev/openstacksdk/Dockerfile', 'FROM opendev/python-base\n');
    write('sources/openstacksdk/source.json', JSON.stringify({ url: 'https://opendev.org/openstack/openstacksdk', ref: '0.103.0', zuulProject: 'opendev.org/openstack/openstacksdk' }));
    // a scenario whose file is broken: an image task must not care
    write('scenarios/broken/scenario.json', '{ not json');
    const projects: Record<string, ProjectConfiguration> = {
      'opendev/python-base': { root: 'images/opendev/python-base' },
      'opendev/openstacksdk': { root: 'images/opendev/openstacksdk', implicitDependencies: ['opendev/python-base', 'openstacksdk'] },
      openstacksdk: { root: 'sources/openstacksdk' },
      'scenario-broken': { root: 'scenarios/broken' },
    };

    const task = await imageTaskModel(root, projects, 'opendev/openstacksdk');
    expect([...task.workspaceImages].sort()).toEqual(['opendev/openstacksdk', 'opendev/python-base']);
    expect([...task.model.images.keys()]).toEqual(['opendev/openstacksdk']);
    expect(task.model.images.get('opendev/openstacksdk')?.dockerfileText).toBe('FROM opendev/python-base\n');
    expect(task.model.images.get('opendev/openstacksdk')?.sources).toEqual(['openstacksdk']);
    expect(task.model.sources.get('openstacksdk')?.declaration?.zuulProject).toBe('opendev.org/openstack/openstacksdk');
    expect(task.model.scenarios.size).toBe(0);

    // the whole model, as the graph check reads it, does see the broken scenario
    const whole = await modelFromNx(root, projects);
    expect(whole.scenarios.get('scenario-broken')?.error).toMatch(/scenarios\/broken\/scenario.json/);
  });
});
