/**
 * Every error class of the libraries and the plugin, walked: each is a user
 * error (it extends UserError: the user can fix what it names, and it is
 * printed plainly) unless it is listed here as internal, with the reason.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError, isUserError } from '@imgmono/errors';

const LIBS = path.resolve(__dirname, '../../../../libs');
/** Internal errors, by name, and why a user cannot fix them. None today. */
const INTERNAL: Record<string, string> = {};

async function errorClasses(): Promise<Array<{ where: string; name: string; type: new (...args: never[]) => Error }>> {
  const modules: Array<[string, Record<string, unknown>]> = [];
  for (const lib of readdirSync(LIBS).filter((name) => name !== 'testing').sort()) {
    modules.push([`@imgmono/${lib}`, (await import(`@imgmono/${lib}`)) as Record<string, unknown>]);
  }
  modules.push(['tools/image-plugin report-failure', (await import('./report-failure')) as Record<string, unknown>]);
  modules.push(['tools/image-plugin image generator', (await import('../generators/image/generator')) as Record<string, unknown>]);
  const found = new Map<string, { where: string; name: string; type: new (...args: never[]) => Error }>();
  for (const [where, exports] of modules) {
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === 'function' && value.prototype instanceof Error) found.set(name, { where, name, type: value as new (...args: never[]) => Error });
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

describe('the error taxonomy', () => {
  it('every error class a user can fix extends UserError; nothing else is one', async () => {
    const classes = await errorClasses();
    expect(classes.length).toBeGreaterThanOrEqual(25);
    for (const { where, name, type } of classes) {
      if (name === 'UserError') continue;
      const user = type.prototype instanceof UserError;
      expect(user, `${name} (${where}) ${user ? 'is' : 'is not'} a user error`).toBe(!(name in INTERNAL));
    }
  });

  it('a user error is recognised across bundles by its mark, a plain Error is internal', () => {
    class Copied extends Error {
      readonly userError = true;
    }
    expect(isUserError(new Copied('from another bundle'))).toBe(true);
    expect(isUserError(new Error('a bug'))).toBe(false);
    expect(new (class RootfsLikeError extends UserError {})('mmdebstrap is not installed').name).toBe('RootfsLikeError');
  });
});
