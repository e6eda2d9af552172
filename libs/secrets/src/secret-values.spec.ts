import { describe, expect, it } from 'vitest';
import { SecretScanner, findSecret, maskSecrets, secretValues } from './secret-values';

const token = { name: 'ZUUL_TOKEN', value: 'tok-5ecr3t-value' };
const password = { name: 'IMAGE_REGISTRY_PASSWORD', value: 'Sup3r-S3cret-pw' };

describe('secret values', () => {
  it('takes the set variables among the named ones, ignores values too short to guard, longest first', () => {
    expect(secretValues(['ZUUL_TOKEN', 'UNSET', 'SHORT'], { ZUUL_TOKEN: token.value, SHORT: 'abc' }, [password])).toEqual([token, password]);
  });

  it.each<[string, string]>([
    ['plain', `curl -H "token: ${token.value}" x`],
    ['twice', `${token.value}/${token.value}`],
    ['base64, as in a Basic Authorization header', `Authorization: Basic ${Buffer.from(token.value).toString('base64')}`],
  ])('masks a value %s', (_case, text) => {
    const masked = maskSecrets(text, [token]);
    expect(masked).toContain('***');
    expect(masked).not.toContain(token.value);
    expect(masked).not.toContain(Buffer.from(token.value).toString('base64').replace(/=+$/, ''));
  });

  it('withholds a line where the mask itself would spell the secret again', () => {
    const odd = { name: 'ODD', value: 'ab***cd' };
    // one pass gives ab + *** + cd: the secret again
    expect(maskSecrets('abab***cdcd', [odd])).toBe('*** (a line holding a secret value was withheld)');
    expect(maskSecrets('x ab***cd y', [odd])).toBe('x *** y');
  });

  it('leaves text without secrets as it is, and finds the secret in text that has one', () => {
    expect(maskSecrets('nothing here', [token, password])).toBe('nothing here');
    expect(findSecret(`https://zuul:${password.value}@host`, [token, password])).toEqual(password);
    expect(findSecret('https://zuul@host', [token, password])).toBeUndefined();
  });
});

describe('SecretScanner', () => {
  it('finds a value split across pieces of one file', () => {
    const scanner = new SecretScanner([token]);
    scanner.push('a.txt', Buffer.from('first part tok-5ec'));
    expect(scanner.found).toBeUndefined();
    scanner.push('a.txt', Buffer.from('r3t-value rest'));
    expect(scanner.found).toEqual({ file: 'a.txt', secret: token });
  });

  it('does not join the end of one file to the start of the next', () => {
    const scanner = new SecretScanner([token]);
    scanner.push('a.txt', Buffer.from('ends with tok-5ec'));
    scanner.push('b.txt', Buffer.from('r3t-value starts b'));
    expect(scanner.found).toBeUndefined();
  });

  it('is inactive without secrets', () => {
    const scanner = new SecretScanner([]);
    scanner.push('a.txt', Buffer.from(token.value));
    expect(scanner.active).toBe(false);
    expect(scanner.found).toBeUndefined();
  });
});
