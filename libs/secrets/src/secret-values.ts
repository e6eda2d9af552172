/**
 * Values the workspace marks as secret, and what keeps them out of images,
 * records and logs: masking a text, and finding a value in streamed bytes
 * (a context file read in chunks). Pure: the environment is passed in.
 */
import { withoutUrlUserInfo } from './url-credentials';

export interface SecretValue {
  /** Where the value comes from, for messages (never the value itself). */
  name: string;
  value: string;
}

/** Shorter values would match everywhere; they are not guarded (and are not real secrets). */
export const MIN_SECRET_LENGTH = 6;
export const MASK = '***';

/** The values of the named environment variables that are set, plus any extra values (registry credentials). */
export function secretValues(names: readonly string[], env: Record<string, string | undefined>, extra: readonly SecretValue[] = []): SecretValue[] {
  const found: SecretValue[] = [];
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH) found.push({ name, value });
  }
  for (const secret of extra) if (secret.value.length >= MIN_SECRET_LENGTH) found.push(secret);
  // longest first, so a value containing another is masked whole
  return found.sort((a, b) => b.value.length - a.value.length);
}

/**
 * The text with every secret value (and its base64 form, as in an Authorization header) replaced
 * by ***, and the user information of every URL in it removed (a CI token in a clone URL).
 */
export function maskSecrets(text: string, secrets: readonly SecretValue[]): string {
  let out = withoutUrlUserInfo(text);
  const forms = secrets.flatMap((secret) => {
    const encoded = Buffer.from(secret.value).toString('base64').replace(/=+$/, '');
    return encoded.length >= MIN_SECRET_LENGTH ? [secret.value, encoded] : [secret.value];
  });
  for (const form of forms) out = out.split(form).join(MASK);
  // a secret that the mask itself helps spell (`a***b` in `aa***bb`) survives one pass: withhold the line
  if (forms.some((form) => out.includes(form))) return `${MASK} (a line holding a secret value was withheld)`;
  return out;
}

/** The first secret whose value occurs in the text. */
export function findSecret(text: string, secrets: readonly SecretValue[]): SecretValue | undefined {
  return secrets.find((secret) => text.includes(secret.value));
}

/**
 * Finds secret values in bytes that arrive in pieces, across piece boundaries:
 * the last (longest value - 1) bytes of each file are kept for the next piece.
 */
export class SecretScanner {
  private readonly needles: Array<{ secret: SecretValue; bytes: Buffer }>;
  private readonly keep: number;
  private tail = Buffer.alloc(0);
  private file: string | undefined;
  /** The first hit: which file holds which secret. */
  found: { file: string; secret: SecretValue } | undefined;

  constructor(secrets: readonly SecretValue[]) {
    this.needles = secrets.map((secret) => ({ secret, bytes: Buffer.from(secret.value) }));
    this.keep = Math.max(0, ...this.needles.map((needle) => needle.bytes.length - 1));
  }

  get active(): boolean {
    return this.needles.length > 0;
  }

  push(file: string, piece: Buffer): void {
    if (this.found !== undefined || this.needles.length === 0) return;
    if (file !== this.file) {
      this.file = file;
      this.tail = Buffer.alloc(0);
    }
    const window = this.tail.length > 0 ? Buffer.concat([this.tail, piece]) : piece;
    for (const needle of this.needles) {
      if (window.includes(needle.bytes)) {
        this.found = { file, secret: needle.secret };
        return;
      }
    }
    this.tail = Buffer.from(window.subarray(Math.max(0, window.length - this.keep)));
  }
}
