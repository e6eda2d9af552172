import { describe, expect, it } from 'vitest';
import { isUserError } from '@imgmono/errors';
import { registryFrom } from './registry-settings';
import { ExecutorInputError } from './report-failure';
import { readRunSettings } from './run-settings';

describe('isUserError', () => {
  it('knows user errors by type, not by the shape of their message', async () => {
    expect(isUserError(new ExecutorInputError('a/b: no registry'))).toBe(true);
    const bad: Error = await registryFrom(readRunSettings({ IMAGE_REGISTRY: 'not a host' })).catch((error: Error) => error) as Error;
    expect(bad.message).toBe('IMAGE_REGISTRY=not a host is not host[:port], such as 127.0.0.1:5000');
    expect(isUserError(bad)).toBe(true);
    expect(isUserError(new Error('a/b: looks like a user error but is a bug'))).toBe(false);
    expect(isUserError(new TypeError('x is undefined'))).toBe(false);
  });
});
