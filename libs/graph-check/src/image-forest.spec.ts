import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceModelFromDisk } from '@imgmono/testing';
import { renderForest } from './image-forest';

describe('renderForest', () => {
  const load = async () => {
    const root = path.resolve(__dirname, '../../..');
    return workspaceModelFromDisk(root);
  };

  it("draws each namespace's chains with their sources", async () => {
    expect(renderForest(await load())).toEqual([
      'debian/',
      '  debian/bookworm',
      'opendev/',
      '  (on debian/bookworm)',
      '  opendev/python-base',
      '  └── opendev/openstacksdk  <- openstacksdk (optional)',
      '      └── opendev/diskimage-builder  <- diskimage-builder (optional)',
      '          └── opendev/nodepool-builder  <- nodepool',
      'test/',
      '  (on opendev/python-base)',
      '  test/debian-mirror',
      '  test/keystone',
      '  └── test/openstack',
      '  test/ssh-node',
      '  test/zookeeper',
      'zuul/',
      '  (on opendev/python-base)',
      '  zuul/nodepool-builder  <- nodepool, openstacksdk, diskimage-builder',
      '  zuul/nodepool-launcher  <- nodepool, openstacksdk',
    ]);
  });

  it('marks what a change affects', async () => {
    const lines = renderForest(await load(), { affected: new Set(['opendev/openstacksdk', 'opendev/diskimage-builder', 'opendev/nodepool-builder']) });
    expect(lines).toContain('  └── opendev/openstacksdk *  <- openstacksdk (optional)');
    expect(lines).toContain('          └── opendev/nodepool-builder *  <- nodepool');
    expect(lines).toContain('  opendev/python-base');
    expect(lines[lines.length - 1]).toBe('* affected by the change (3 images)');
  });
});
