/**
 * What a build prints never holds a secret, however the engine's output is
 * cut: for any secret value and any build output carrying it (as it is,
 * repeated, next to its base64 form), the engine's JSON lines are split into
 * several `stream` messages at any point and the HTTP body into byte chunks
 * at any offset (inside a multi-byte character too); the lines the build
 * reader gives and the masking prints hold neither the secret nor its base64
 * form, and every other character arrives as it was.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BuildOutputReader } from '@imgmono/engine';
import { maskSecrets } from '@imgmono/secrets';
import { assertProperty } from '@imgmono/testing';

const noNewline = (text: string) => !/[\r\n]/.test(text);
const secretArb = fc.string({ unit: 'grapheme', minLength: 6, maxLength: 24 }).filter((value) => noNewline(value) && value.trim().length >= 6);
const plainArb = fc.string({ unit: 'grapheme', maxLength: 20 }).filter(noNewline);

/** A line of output: plain text, the secret, its base64 form, in any order and number. */
const lineArb = (secret: string) =>
  fc.array(fc.oneof(plainArb, fc.constant(secret), fc.constant(Buffer.from(secret).toString('base64')), fc.constant(`${secret}${secret}`)), { maxLength: 6 }).map((parts) => parts.join(''));

/** The engine's body: each line sent as one or more `stream` messages, split at the given points. */
function engineBody(lines: string[], splits: number[]): Buffer {
  const messages: string[] = [];
  lines.forEach((line, index) => {
    const text = `${line}\n`;
    const at = splits[index % Math.max(1, splits.length)] ?? 0;
    const cut = text.length > 1 ? at % text.length : 0;
    for (const piece of cut > 0 ? [text.slice(0, cut), text.slice(cut)] : [text]) messages.push(`${JSON.stringify({ stream: piece })}\n`);
  });
  return Buffer.from(messages.join(''));
}

/** The body cut into byte chunks at the given offsets. */
function chunksOf(body: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (body.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, body.length]) {
    if (point > start) chunks.push(body.subarray(start, point));
    start = Math.max(start, point);
  }
  return chunks;
}

describe('build output masking (property)', () => {
  it('prints no secret, whatever the output and however it is cut into chunks', () => {
    assertProperty(
      'no secret in printed build output, any chunking',
      fc.property(
        secretArb.chain((secret) => fc.tuple(fc.constant(secret), fc.array(lineArb(secret), { minLength: 1, maxLength: 8 }))),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        ([secret, lines], splits, cuts) => {
          const secrets = [{ name: 'SITE_TOKEN', value: secret }];
          const reader = new BuildOutputReader();
          const printed: string[] = [];
          const events = [...chunksOf(engineBody(lines, splits), cuts).flatMap((chunk) => reader.push(chunk)), ...reader.end()];
          for (const event of events) if (event.kind === 'output') printed.push(maskSecrets(event.text, secrets));
          const all = printed.join('\n');
          expect(all.includes(secret), `the secret is printed: ${JSON.stringify(all)}`).toBe(false);
          const base64 = Buffer.from(secret).toString('base64').replace(/=+$/, '');
          if (base64.length >= 6) expect(all.includes(base64), 'its base64 form is printed').toBe(false);
          // nothing else is lost or mangled on the way
          expect(printed).toEqual(lines.map((line) => maskSecrets(line, secrets)));
        },
      ),
      500,
    );
  });
});
