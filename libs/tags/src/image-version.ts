/**
 * An image's version as semver: release tags (`v1.2.3`, `1.2.3-rc.1`,
 * `1.2.3+build.5`) and the PEP 440 versions sources get from `git describe`
 * (`1.2.4.dev4`, `1.2.3rc1`, `1.2.3+dirty`). Pure.
 */
import semver from 'semver';
import { UserError } from '@imgmono/errors';

export class VersionError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

const PEP440 = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[.-]?(a|b|rc|alpha|beta|c)\.?(\d+))?(?:\.?(dev|post)\.?(\d+))?(?:\+([A-Za-z0-9.]+))?$/;

export function toSemver(raw: string): string {
  const text = raw.trim().replace(/^v(?=\d)/, '');
  const direct = semver.valid(text);
  if (direct !== null) return direct + (text.includes('+') ? `+${text.split('+')[1]}` : '');
  const m = PEP440.exec(text);
  if (m) {
    const [, major, minor = '0', patch = '0', pre, preNumber, devPost, devPostNumber, local] = m;
    const names: Record<string, string> = { a: 'alpha', alpha: 'alpha', b: 'beta', beta: 'beta', c: 'rc', rc: 'rc' };
    const prerelease: string[] = [];
    if (pre !== undefined) prerelease.push(`${names[pre]}.${preNumber}`);
    if (devPost === 'dev') prerelease.push(`dev.${devPostNumber}`);
    // a post-release sorts like its release in semver: it is build metadata there
    const build: string[] = [];
    if (devPost === 'post') build.push(`post.${devPostNumber}`);
    if (local !== undefined) build.push(local);
    let version = `${Number(major)}.${Number(minor)}.${Number(patch)}`;
    if (prerelease.length > 0) version += `-${prerelease.join('.')}`;
    if (build.length > 0) version += `+${build.join('.')}`;
    if (semver.valid(version.split('+')[0]) !== null) return version;
  }
  throw new VersionError(`version '${raw}' is neither semver (1.2.3, 1.2.3-rc.1) nor a PEP 440 version (1.2.3, 1.2.4.dev4, 1.2.3rc1)`);
}

export function isPrerelease(version: string): boolean {
  return (semver.prerelease(version.split('+')[0]) ?? []).length > 0;
}
