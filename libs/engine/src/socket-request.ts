/**
 * One small request to the engine over its unix socket, on a connection of
 * its own, written and read without Node's HTTP client: in a task process
 * that has made no request yet, `http.request` cost 11 to 14 ms the first
 * time (its modules loaded and compiled), a request over a plain socket
 * 1.5 to 2 ms. A no-op build asks the engine only such small things (is it
 * there, what is this image), so a task process that builds nothing never
 * loads the HTTP client or dockerode. Errors are those of the socket (with
 * its `code`, which engineConnectionError reads) or a RequestStatusError.
 */
import * as net from 'node:net';
import { HttpResponse, HttpResponseReader } from './http-response';

/** The engine answered with a status other than 2xx: `statusCode` and the engine's own message, as dockerode reports them. */
export class RequestStatusError extends Error {
  constructor(
    readonly statusCode: number,
    readonly engineMessage: string,
  ) {
    super(`(HTTP code ${statusCode}) ${engineMessage}`);
  }
}

/** A path segment of an engine request: an image reference keeps its slashes, colons and @ (the engine's routes take them as they are). */
export function referencePath(reference: string): string {
  return encodeURIComponent(reference).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/g, '@');
}

/** GET `path` from the engine at `socketPath`: the response, whatever its status. */
export function socketGet(socketPath: string, path: string, timeoutMs = 60_000): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const reader = new HttpResponseReader();
    let settled = false;
    const finish = (error: Error | undefined, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(response!);
    };
    const socket = net.createConnection(socketPath);
    socket.setTimeout(timeoutMs, () => finish(Object.assign(new Error(`no answer from the engine in ${timeoutMs / 1000} s (GET ${path})`), { code: 'ETIMEDOUT' })));
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: imgmono\r\nConnection: close\r\n\r\n`, 'latin1'));
    socket.on('data', (bytes: Buffer) => {
      try {
        reader.push(bytes);
        if (reader.done) finish(undefined, reader.response());
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.on('end', () => {
      try {
        finish(undefined, reader.end());
      } catch (error) {
        // cut short: the engine went away in the middle of its answer
        finish(Object.assign(new Error(`the engine closed the connection: ${(error as Error).message}`), { code: 'ECONNRESET' }));
      }
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(Object.assign(new Error('the engine closed the connection before it answered'), { code: 'ECONNRESET' })));
  });
}

/** GET `path` and read its JSON body; a 404 is `undefined`, any other status but 2xx a RequestStatusError. */
export async function socketGetJson<T>(socketPath: string, path: string): Promise<T | undefined> {
  const response = await socketGet(socketPath, path);
  if (response.status === 404) return undefined;
  const text = response.body.toString('utf8');
  if (response.status < 200 || response.status > 299) throw new RequestStatusError(response.status, engineMessage(text));
  return JSON.parse(text) as T;
}

/** The engine's message in an error response (`{"message": ...}`), else the body as it is. */
function engineMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return text.trim();
}
