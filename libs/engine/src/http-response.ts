/**
 * An HTTP/1.1 response read as it arrives, in pieces of any size: the status
 * line, the headers, then a body of `Content-Length` bytes, in `chunked`
 * transfer coding, or up to the end of the connection when it has neither.
 * What the engine's socket answers to a small request (an image's
 * inspection, a ping), for socket-request.ts. No I/O.
 */

export interface HttpResponse {
  status: number;
  /** Header names in lower case; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/** The response does not follow HTTP/1.1: a broken engine or something else on the socket. */
export class HttpResponseError extends Error {}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
/** Larger headers than this are not an engine's answer. */
const MAX_HEAD = 64 * 1024;

type Stage = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'until-close' | 'done';

export class HttpResponseReader {
  private pending: Buffer = Buffer.alloc(0);
  private stage: Stage = 'head';
  private left = 0;
  private readonly pieces: Buffer[] = [];
  private status = 0;
  private headers: Record<string, string> = {};

  /** Whether the whole response has been read. */
  get done(): boolean {
    return this.stage === 'done';
  }

  /** Reads the next bytes of the connection; throws HttpResponseError on a malformed response. */
  push(bytes: Buffer): void {
    if (this.stage === 'done') return;
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    for (;;) {
      const before: Stage = this.stage;
      const consumed = this.step();
      if (consumed === 0 && this.stage === before) return;
    }
  }

  /** The connection ended: the response, when it was complete (or has no length and ends with the connection). */
  end(): HttpResponse {
    if (this.stage === 'until-close') this.stage = 'done';
    if (this.stage !== 'done') throw new HttpResponseError(`the connection ended in the middle of the response (reading its ${this.stage === 'head' ? 'headers' : 'body'})`);
    return this.response();
  }

  /** The response once done. */
  response(): HttpResponse {
    if (this.stage !== 'done') throw new HttpResponseError('the response is not complete');
    return { status: this.status, headers: this.headers, body: Buffer.concat(this.pieces) };
  }

  /** One step of the reading; returns the bytes it consumed (0 when it needs more, or only changed stage). */
  private step(): number {
    switch (this.stage) {
      case 'head': {
        const end = this.pending.indexOf(HEADER_END);
        if (end < 0) {
          if (this.pending.length > MAX_HEAD) throw new HttpResponseError(`no end of the headers in the first ${MAX_HEAD} bytes`);
          return 0;
        }
        this.readHead(this.pending.subarray(0, end).toString('latin1'));
        return this.take(end + HEADER_END.length);
      }
      case 'length':
        return this.body('done');
      case 'chunk-size': {
        const end = this.pending.indexOf(CRLF);
        if (end < 0) {
          if (this.pending.length > 1024) throw new HttpResponseError('a chunk size line longer than 1,024 bytes');
          return 0;
        }
        // extensions after ';' are allowed and ignored
        const text = this.pending.subarray(0, end).toString('latin1').split(';')[0].trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(text)) throw new HttpResponseError(`"${text}" is not a chunk size`);
        this.left = parseInt(text, 16);
        this.stage = this.left === 0 ? 'trailer' : 'chunk-data';
        return this.take(end + CRLF.length);
      }
      case 'chunk-data':
        return this.body('chunk-end');
      case 'chunk-end': {
        if (this.pending.length < CRLF.length) return 0;
        if (!this.pending.subarray(0, CRLF.length).equals(CRLF)) throw new HttpResponseError('a chunk does not end with CRLF');
        this.stage = 'chunk-size';
        return this.take(CRLF.length);
      }
      case 'trailer': {
        // trailer fields, if any, then an empty line
        const end = this.pending.indexOf(CRLF);
        if (end < 0) return 0;
        if (end === 0) this.stage = 'done';
        return this.take(end + CRLF.length);
      }
      case 'until-close':
        // each piece as it comes: held, not joined to what came before
        if (this.pending.length === 0) return 0;
        this.pieces.push(this.pending);
        return this.take(this.pending.length);
      case 'done':
        return 0;
    }
  }

  /** Up to `left` bytes of body (all of it, or of a chunk); then `next`. */
  private body(next: Stage): number {
    const n = Math.min(this.left, this.pending.length);
    if (n === 0) return 0;
    this.pieces.push(this.pending.subarray(0, n));
    this.left -= n;
    if (this.left === 0) this.stage = next;
    return this.take(n);
  }

  private take(n: number): number {
    // a view, not a copy: the body's pieces may be views of what was pushed
    this.pending = this.pending.subarray(n);
    return n;
  }

  private readHead(head: string): void {
    const [statusLine, ...lines] = head.split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
    if (match === null) throw new HttpResponseError(`"${statusLine.slice(0, 80)}" is not an HTTP/1.1 status line`);
    this.status = Number(match[1]);
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new HttpResponseError(`"${line.slice(0, 80)}" is not a header line`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      this.headers[name] = this.headers[name] === undefined ? value : `${this.headers[name]}, ${value}`;
    }
    // no body: 1xx, 204 and 304 (the engine sends no 1xx to these requests)
    if (this.status === 204 || this.status === 304) {
      this.stage = 'done';
      return;
    }
    const coding = this.headers['transfer-encoding'];
    if (coding !== undefined) {
      if (coding.toLowerCase() !== 'chunked') throw new HttpResponseError(`transfer coding "${coding}" is not read here`);
      this.stage = 'chunk-size';
      return;
    }
    const length = this.headers['content-length'];
    if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length)) throw new HttpResponseError(`"${length}" is not a content length`);
      this.left = Number(length);
      this.stage = this.left === 0 ? 'done' : 'length';
      return;
    }
    this.stage = 'until-close';
  }
}
