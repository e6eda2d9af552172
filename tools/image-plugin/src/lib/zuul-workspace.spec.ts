/**
 * The example workspace's Zuul export, from the files on disk: the committed
 * zuul.d/images.yaml is what the graph gives, and docs/zuul.md draws the same
 * job graph the generator prints.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceModelFromDisk } from '@imgmono/testing';
import { zuulConfigFor } from './zuul-workspace';

const ROOT = path.resolve(__dirname, '../../../..');
const read = (file: string) => {
  try {
    return readFileSync(path.join(ROOT, file), 'utf8');
  } catch {
    return undefined;
  }
};

describe('the example workspace on Zuul', async () => {
  const exported = zuulConfigFor(await workspaceModelFromDisk(ROOT), JSON.parse(read('nx.json')!));

  it('has its Zuul file in step with the graph', () => {
    expect(exported.file).toBe('zuul.d/images.yaml');
    expect(read(exported.file)).toBe(exported.text);
  });

  it("draws the check pipeline's job graph in docs/zuul.md as the generator prints it", () => {
    expect(read('docs/zuul.md')).toContain(`\`\`\`\n${exported.jobGraph.join('\n')}\n\`\`\``);
    expect(exported.jobGraph[0]).toBe('opendev-buildset-registry');
    expect(exported.jobGraph.join('\n')).toContain('imgmono-build-opendev-openstacksdk  (opendev-build-docker-image, siblings opendev.org/openstack/openstacksdk)');
  });
});
