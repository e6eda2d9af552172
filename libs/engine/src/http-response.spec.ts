/**
 * HttpResponseReader on the shapes of response the engine sends to small
 * requests (a length, chunked, to the end of the connection, no body), and
 * on malformed ones, which must be refused rather than read as something
 * else. The property test cuts generated responses at any byte.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertProperty } from '@imgmono/testing';
import { HttpResponseError, HttpResponseReader } from './http-response';

function read(pieces: Array<string | Buffer>, ended = false) {
  const reader = new HttpResponseReader();
  for (const piece of pieces) reader.push(Buffer.isBuffer(piece) ? piece : Buffer.from(piece, 'latin1'));
  return ended ? reader.end() : reader.response();
}

describe('HttpResponseReader', () => {
  it('reads a body of Content-Length bytes, and nothing after it', () => {
    const response = read(['HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"Id":"x"}\nextra']);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body.toString()).toBe('{"Id":"x"}\n');
  });

  it('reads a chunked body, with chunk extensions and trailers', () => {
    const response = read(['HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5;name=v\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n']);
    expect(response.status).toBe(404);
    expect(response.body.toString()).toBe('hello 0123456789');
  });

  it('reads a body without a length up to the end of the connection', () => {
    expect(read(['HTTP/1.0 200 OK\r\n\r\nOK'], true).body.toString()).toBe('OK');
  });

  it('has no body for 204 and a zero length', () => {
    expect(read(['HTTP/1.1 204 No Content\r\n\r\n']).body.length).toBe(0);
    expect(read(['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']).body.length).toBe(0);
  });

  it('joins a repeated header', () => {
    expect(read(['HTTP/1.1 200 OK\r\nVary: a\r\nVary: b\r\nContent-Length: 0\r\n\r\n']).headers.vary).toBe('a, b');
  });

  it.each([
    ['not HTTP', 'SSH-2.0-OpenSSH_9.2\r\n\r\n', /is not an HTTP\/1.1 status line/],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nbroken\r\n\r\n', /is not a header line/],
    ['a bad length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /is not a content length/],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /is not a chunk size/],
    ['a chunk without its CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY', /does not end with CRLF/],
    ['another transfer coding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', /transfer coding "gzip, chunked" is not read here/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => new HttpResponseReader().push(Buffer.from(text, 'latin1'))).toThrow(message);
  });

  it('says a response cut short by the end of the connection is incomplete', () => {
    expect(() => read(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'], true)).toThrow(HttpResponseError);
    expect(() => read(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n'], true)).toThrow(/in the middle of the response \(reading its body\)/);
    expect(() => read(['HTTP/1.1 200 OK\r\nContent-Le'], true)).toThrow(/reading its headers/);
  });

  it('property: any body, sent with a length or in chunks of any sizes, and cut into pieces at any bytes, reads back as it was', () => {
    assertProperty(
      'an HTTP response cut anywhere reads back whole',
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 100, max: 599 }),
        (bodyBytes, chunked, chunkSizes, cuts, status) => {
          const body = Buffer.from(bodyBytes);
          const parts: Buffer[] = [];
          if (chunked) {
            parts.push(Buffer.from(`HTTP/1.1 ${status} Whatever\r\nTransfer-Encoding: chunked\r\n\r\n`, 'latin1'));
            for (let at = 0, i = 0; at < body.length; i++) {
              const piece = body.subarray(at, at + chunkSizes[i % chunkSizes.length]);
              parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`, 'latin1'), piece, Buffer.from('\r\n'));
              at += piece.length;
            }
            parts.push(Buffer.from('0\r\n\r\n'));
          } else {
            parts.push(Buffer.from(`HTTP/1.1 ${status} Whatever\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body);
          }
          const whole = Buffer.concat(parts);
          const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b);
          const reader = new HttpResponseReader();
          let start = 0;
          for (const point of [...points, whole.length]) {
            reader.push(whole.subarray(start, point));
            start = point;
          }
          const noBody = status === 204 || status === 304;
          expect(reader.done).toBe(true);
          const response = reader.end();
          expect(response.status).toBe(status);
          expect(response.body.equals(noBody ? Buffer.alloc(0) : body)).toBe(true);
        },
      ),
      300,
    );
  });
});
