/**
 * The version of a source checkout, from `git describe --tags --long`,
 * as PEP 440 (what pip and pbr accept), the way pbr numbers untagged commits:
 * `1.2.3-0-gabc` is 1.2.3; `1.2.3-4-gabc` is 1.2.4.dev4; no tag at all is
 * 0.0.0.dev<commits>. Pure.
 */
export interface SourceVersion {
  /** PEP 440 version, such as 1.2.4.dev4. */
  version: string;
  /** The full commit id. */
  revision: string;
  /** `git describe` as git printed it. */
  describe: string;
  /** True when the checkout has uncommitted changes (they are sent, and the version says so). */
  dirty: boolean;
}

const DESCRIBE = /^(.*)-(\d+)-g([0-9a-f]+)$/;

export function versionFromDescribe(describe: string | undefined, revision: string, commitCount: number, dirty: boolean): SourceVersion {
  let version: string;
  const match = describe !== undefined ? DESCRIBE.exec(describe) : null;
  if (match) {
    const tag = match[1].replace(/^v(?=\d)/, '');
    const distance = Number(match[2]);
    version = distance === 0 ? tag : `${bumpLast(tag)}.dev${distance}`;
  } else {
    version = `0.0.0.dev${commitCount}`;
  }
  if (dirty) version = `${version}+dirty`;
  return { version, revision, describe: describe ?? revision.slice(0, 12), dirty };
}

function bumpLast(tag: string): string {
  const release = /^(\d+(?:\.\d+)*)$/.exec(tag);
  if (!release) return tag;
  const parts = release[1].split('.').map(Number);
  parts[parts.length - 1] += 1;
  return parts.join('.');
}
