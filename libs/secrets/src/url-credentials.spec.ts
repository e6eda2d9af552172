import { describe, expect, it } from 'vitest';
import { hasUrlUserInfo, withoutUrlUserInfo } from './url-credentials';

describe('URL user information', () => {
  it.each<[string, string, string]>([
    ['user and token, as GitLab CI writes its origin', 'https://gitlab-ci-token:glcbt-64_abc@git.example.invalid/imgmono.git', 'https://git.example.invalid/imgmono.git'],
    ['a token as the user', 'https://ghp_0123456789abcdef@github.example/org/repo', 'https://github.example/org/repo'],
    ['a user only', 'ssh://zuul@review.example:29418/zuul/nodepool', 'ssh://review.example:29418/zuul/nodepool'],
    ['percent-encoded characters in the password', 'https://ci:p%40ss%3Aw0rd@host/x', 'https://host/x'],
    ['several URLs in one line', 'cloning https://a:b@h1/x into ../x; see https://c@h2/y.', 'cloning https://h1/x into ../x; see https://h2/y.'],
    ['a URL inside JSON text', '{"url":"https://u:p@host/x.git","other":"a@b"}', '{"url":"https://host/x.git","other":"a@b"}'],
    ['an @ after the host is not user information', 'https://host/path@v1.2?x=a@b#c@d', 'https://host/path@v1.2?x=a@b#c@d'],
    ['a registry reference by digest', '127.0.0.1:5000/opendev/python-base@sha256:0123', '127.0.0.1:5000/opendev/python-base@sha256:0123'],
    ['an scp-like git address has no scheme', 'git@opendev.org:zuul/nodepool', 'git@opendev.org:zuul/nodepool'],
    ['no URL', 'nothing to see', 'nothing to see'],
  ])('%s', (_case, text, expected) => {
    expect(withoutUrlUserInfo(text)).toBe(expected);
    expect(hasUrlUserInfo(text)).toBe(text !== expected);
    expect(hasUrlUserInfo(withoutUrlUserInfo(text))).toBe(false);
  });
});
