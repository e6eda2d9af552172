/**
 * A source: software an image installs from a checkout outside the image's
 * folder, declared once in `sources/<name>/source.json`. Pure: parsing and
 * validation, every error naming the file and the fix.
 */
import { UserError } from '@imgmono/errors';

export interface SourceDeclaration {
  /** Project name and folder name: `openstacksdk`. */
  name: string;
  /** Upstream git URL; `file://` URLs work for local mirrors and tests. */
  url: string;
  /** Tag, branch or commit the images are built from when no checkout is handed over. */
  ref: string;
  /** Zuul's canonical project name (`opendev.org/openstack/openstacksdk`), matched in a Zuul projects file. */
  zuulProject: string;
  /** The Debian package that carries the released software, when there is one. */
  debianPackage?: string;
}

export class SourceDeclarationError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const REF = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** `https://opendev.org/openstack/openstacksdk(.git)` -> `opendev.org/openstack/openstacksdk`. */
export function canonicalProjectName(url: string): string {
  const withoutScheme = url.replace(/^[a-z+]+:\/\//, '').replace(/^[^@/]*@/, '').replace(/\.git$/, '').replace(/\/+$/, '').replace(/^\/+/, '');
  return withoutScheme.replace(/^([^/:]+):(?!\d)/, '$1/');
}

export function parseSourceDeclaration(text: string, file: string, folderName: string): SourceDeclaration {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new SourceDeclarationError(`${file}: not valid JSON (${(error as Error).message}); fix the syntax`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new SourceDeclarationError(`${file}: must be a JSON object with "url" and "ref"`);
  }
  const fail = (field: string, why: string): never => {
    throw new SourceDeclarationError(`${file}: "${field}" ${why}`);
  };
  const known = ['$schema', 'name', 'url', 'ref', 'zuulProject', 'debianPackage'];
  for (const key of Object.keys(data)) if (!known.includes(key)) fail(key, `is not a source setting (known: ${known.slice(1).join(', ')})`);
  const name = data.name ?? folderName;
  if (typeof name !== 'string' || !NAME.test(name)) fail('name', 'must be lowercase letters, digits, ".", "_" or "-"');
  if (name !== folderName) fail('name', `is "${String(name)}" but the folder is sources/${folderName}: rename one so they agree`);
  if (typeof data.url !== 'string' || !/^(https?|git|ssh|file):\/\/\S+$|^[\w.-]+@[\w.-]+:\S+$/.test(data.url)) {
    fail('url', 'must be a git URL (https://, git://, ssh://, file:// or user@host:path)');
  }
  if (typeof data.ref !== 'string' || !REF.test(data.ref) || data.ref.includes('..')) {
    fail('ref', 'must be a tag, branch or commit, such as "1.0.0" or "master"');
  }
  if (data.zuulProject !== undefined && (typeof data.zuulProject !== 'string' || data.zuulProject === '')) {
    fail('zuulProject', 'must be Zuul\'s canonical project name, such as "opendev.org/openstack/openstacksdk"');
  }
  if (data.debianPackage !== undefined && (typeof data.debianPackage !== 'string' || !/^[a-z0-9][a-z0-9+.-]+$/.test(data.debianPackage))) {
    fail('debianPackage', 'must be a Debian package name');
  }
  return {
    name: name as string,
    url: data.url as string,
    ref: data.ref as string,
    zuulProject: (data.zuulProject as string | undefined) ?? canonicalProjectName(data.url as string),
    debianPackage: data.debianPackage as string | undefined,
  };
}

/** The build argument naming an explicit checkout of one source: IMAGE_SOURCE_OPENSTACKSDK. */
export function sourceEnvVariable(name: string): string {
  return `IMAGE_SOURCE_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
