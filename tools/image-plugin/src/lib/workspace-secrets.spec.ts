import { afterEach, describe, expect, it, vi } from 'vitest';
import { RegistryClient } from '@imgmono/registry';
import { maskedOutput, runSecrets } from './workspace-secrets';

describe('run secrets', () => {
  afterEach(() => vi.restoreAllMocks());

  const registry = {
    client: new RegistryClient({ host: '127.0.0.1:5000' }),
    auth: { username: 'zuul', password: 'Reg1stry-Pa55', serveraddress: '127.0.0.1:5000' },
  };

  it('are the marked variables that are set, plus the registry password and credentials', () => {
    const secrets = runSecrets(['SITE_TOKEN', 'UNSET'], {}, { SITE_TOKEN: 'tok-5ecr3t' }, registry);
    expect(secrets.map((secret) => secret.name).sort()).toEqual(['SITE_TOKEN', 'the registry credentials', 'the registry password']);
  });

  it('are masked in everything an executor prints, the Basic header form included', () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line));
    vi.spyOn(console, 'error').mockImplementation((line: string) => printed.push(line));
    const output = maskedOutput(runSecrets(['SITE_TOKEN'], {}, { SITE_TOKEN: 'tok-5ecr3t' }, registry));
    output.log('curl -H "X-Token: tok-5ecr3t" https://zuul:Reg1stry-Pa55@host');
    output.error(`Authorization: Basic ${Buffer.from('zuul:Reg1stry-Pa55').toString('base64')}`);
    expect(printed).toEqual(['curl -H "X-Token: ***" https://host', 'Authorization: Basic ***']);
  });
});
