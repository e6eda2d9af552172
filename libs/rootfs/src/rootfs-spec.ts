/**
 * `rootfs.json`: how a root image's file system is made from Debian
 * packages with mmdebstrap. Pure: parsing, validation and the command line.
 */
import { UserError } from '@imgmono/errors';
export const ROOTFS_TAR = 'rootfs.tar';

export const VARIANTS = ['extract', 'custom', 'essential', 'apt', 'required', 'minbase', 'buildd', 'important', 'standard'] as const;

export interface RootfsSpec {
  builder: 'mmdebstrap';
  suite: string;
  variant: (typeof VARIANTS)[number];
  /** sources.list lines or mirror URLs; the first one is also written into the image. */
  mirrors: string[];
  include: string[];
  architecture?: string;
}

export class RootfsSpecError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const SUITE = /^[a-z0-9][a-z0-9.-]*$/;

export function parseRootfsSpec(text: string, file: string): RootfsSpec {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new RootfsSpecError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new RootfsSpecError(`${file}: must be a JSON object`);
  const fail = (field: string, why: string): never => {
    throw new RootfsSpecError(`${file}: "${field}" ${why}`);
  };
  const known = new Set(['$schema', 'builder', 'suite', 'variant', 'mirrors', 'include', 'architecture']);
  for (const key of Object.keys(data)) if (!known.has(key)) fail(key, `is not a rootfs setting (known: ${[...known].slice(1).join(', ')})`);
  const builder = data.builder ?? 'mmdebstrap';
  if (builder !== 'mmdebstrap') fail('builder', `must be "mmdebstrap", got ${JSON.stringify(builder)}`);
  if (typeof data.suite !== 'string' || !SUITE.test(data.suite)) fail('suite', 'must name a Debian suite, such as "bookworm"');
  const variant = data.variant ?? 'minbase';
  if (!VARIANTS.includes(variant as RootfsSpec['variant'])) fail('variant', `must be one of ${VARIANTS.join(', ')}`);
  const mirrors = data.mirrors ?? ['http://deb.debian.org/debian'];
  if (!Array.isArray(mirrors) || mirrors.length === 0 || mirrors.some((m) => typeof m !== 'string' || !/^(deb |https?:\/\/|file:\/)/.test(m))) {
    fail('mirrors', 'must be a list of mirror URLs or "deb ..." lines');
  }
  const include = data.include ?? [];
  if (!Array.isArray(include) || include.some((p) => typeof p !== 'string' || !PACKAGE.test(p))) {
    fail('include', 'must be a list of Debian package names');
  }
  if (data.architecture !== undefined && (typeof data.architecture !== 'string' || !/^[a-z0-9-]+$/.test(data.architecture))) {
    fail('architecture', 'must be a Debian architecture, such as "amd64"');
  }
  return {
    builder: 'mmdebstrap',
    suite: data.suite as string,
    variant: variant as RootfsSpec['variant'],
    mirrors: mirrors as string[],
    include: [...(include as string[])].sort(),
    architecture: data.architecture as string | undefined,
  };
}

/** The spec as canonical text: what the input digest of a root image covers. */
export function canonicalRootfsSpec(spec: RootfsSpec): string {
  return JSON.stringify({
    builder: spec.builder,
    suite: spec.suite,
    variant: spec.variant,
    mirrors: spec.mirrors,
    include: spec.include,
    architecture: spec.architecture ?? null,
  });
}

export function mmdebstrapArguments(spec: RootfsSpec, outputTar: string): string[] {
  const args = [`--variant=${spec.variant}`, '--format=tar'];
  if (spec.include.length > 0) args.push(`--include=${spec.include.join(',')}`);
  if (spec.architecture !== undefined) args.push(`--architectures=${spec.architecture}`);
  args.push(spec.suite, outputTar, ...spec.mirrors);
  return args;
}
