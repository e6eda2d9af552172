import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '@imgmono/testing';
import { credentialsFromDockerConfig, readRegistryCredentials } from './credentials';
import { isLoopbackHost } from './registry-client';

const auth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

describe('registry credentials', () => {
  it.each([
    [{ auths: { '127.0.0.1:5000': { auth: auth('alice', 'pa:ss') } } }, { username: 'alice', password: 'pa:ss' }],
    [{ auths: { 'http://127.0.0.1:5000': { auth: auth('bob', 'x') } } }, { username: 'bob', password: 'x' }],
    [{ auths: { '127.0.0.1:5000': { username: 'carol', password: 'y' } } }, { username: 'carol', password: 'y' }],
    [{ auths: { 'other:5000': { auth: auth('a', 'b') } } }, undefined],
  ])('reads %j', (config, expected) => {
    const found = credentialsFromDockerConfig(JSON.stringify(config), '/home/u/.docker/config.json', '127.0.0.1:5000');
    expect(found === undefined ? undefined : { username: found.username, password: found.password }).toEqual(expected);
  });

  it('refuses credential helpers with the way out, without printing anything secret', () => {
    expect(() => credentialsFromDockerConfig(JSON.stringify({ credHelpers: { '127.0.0.1:5000': 'pass' } }), 'c.json', '127.0.0.1:5000')).toThrow(
      'c.json: credentials for 127.0.0.1:5000 are kept by the credential helper "pass", which this tool does not call; set IMAGE_REGISTRY_USERNAME and IMAGE_REGISTRY_PASSWORD instead',
    );
    expect(() => credentialsFromDockerConfig(JSON.stringify({ auths: { '127.0.0.1:5000': { auth: Buffer.from('no-colon-secret').toString('base64') } } }), 'c.json', '127.0.0.1:5000')).toThrow(
      /^c.json: the "auth" of 127.0.0.1:5000 is not base64 of "user:password"$/,
    );
  });

  describe('from the environment and DOCKER_CONFIG', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await makeTempDir();
      await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { 'r:1': { auth: auth('file-user', 'file-pass') } } }));
    });
    afterEach(() => removeDir(dir));

    it('prefers IMAGE_REGISTRY_USERNAME/PASSWORD over the docker config', async () => {
      expect(await readRegistryCredentials('r:1', { DOCKER_CONFIG: dir, IMAGE_REGISTRY_USERNAME: 'env-user', IMAGE_REGISTRY_PASSWORD: 'env-pass' })).toEqual({
        username: 'env-user',
        password: 'env-pass',
        from: 'IMAGE_REGISTRY_USERNAME/PASSWORD',
      });
      expect((await readRegistryCredentials('r:1', { DOCKER_CONFIG: dir }))?.username).toBe('file-user');
      expect(await readRegistryCredentials('r:2', { DOCKER_CONFIG: dir })).toBeUndefined();
    });

    it('wants both variables or neither', async () => {
      await expect(readRegistryCredentials('r:1', { IMAGE_REGISTRY_USERNAME: 'u' })).rejects.toThrow('set both IMAGE_REGISTRY_USERNAME and IMAGE_REGISTRY_PASSWORD, or neither');
    });
  });

  it.each([
    ['127.0.0.1:5000', true],
    ['localhost:5000', true],
    ['[::1]:5000', true],
    ['registry.example.org', false],
    ['10.0.0.1:5000', false],
  ])('%s is loopback: %s', (host, expected) => expect(isLoopbackHost(host)).toBe(expected));
});
