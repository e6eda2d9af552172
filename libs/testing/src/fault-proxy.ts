/**
 * A small HTTP proxy on 127.0.0.1 in front of a real registry, for fault
 * tests: each request is passed on, answered with an error status, or has
 * its connection closed, as the test's rule decides. Requests are counted
 * by what they do, so a test can tell that a retry happened.
 */
import * as http from 'node:http';

export type FaultAction = 'pass' | 'drop' | { status: number };

export interface ProxiedRequest {
  method: string;
  path: string;
  /** What the request does in the registry API: ping, blob-upload, manifest-put, manifest-get, ... */
  kind: string;
  /** How many requests of this kind came before this one. */
  seen: number;
}

export interface FaultProxy {
  host: string;
  rule: (request: ProxiedRequest) => FaultAction;
  /** Requests by kind, and what was done to them. */
  log: Array<ProxiedRequest & { action: string }>;
  /** Passes everything again, and forgets what it saw. */
  reset(): void;
  close(): Promise<void>;
}

export function requestKind(method: string, path: string): string {
  if (/^\/v2\/?$/.test(path)) return 'ping';
  if (/\/blobs\/uploads\//.test(path)) return method === 'POST' ? 'blob-upload-start' : 'blob-upload';
  if (/\/blobs\//.test(path)) return 'blob-check';
  if (/\/manifests\//.test(path)) return method === 'PUT' ? 'manifest-put' : method === 'DELETE' ? 'manifest-delete' : 'manifest-get';
  if (/\/tags\/list/.test(path)) return 'tags';
  return 'other';
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const [upstreamHost, upstreamPort] = upstream.split(':');
  const counts = new Map<string, number>();
  const proxy: FaultProxy = {
    host: '',
    rule: () => 'pass',
    log: [],
    reset: () => {
      proxy.rule = () => 'pass';
      proxy.log.length = 0;
      counts.clear();
    },
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    const kind = requestKind(req.method ?? 'GET', path.split('?')[0]);
    const seen = counts.get(kind) ?? 0;
    counts.set(kind, seen + 1);
    const request: ProxiedRequest = { method: req.method ?? 'GET', path, kind, seen };
    const action = proxy.rule(request);
    proxy.log.push({ ...request, action: typeof action === 'string' ? action : String(action.status) });
    if (action === 'drop') {
      req.socket.destroy();
      return;
    }
    if (action !== 'pass') {
      req.resume();
      res.writeHead(action.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `fault injected by the test proxy (${action.status})` }] }));
      return;
    }
    // the Host header is kept, so the registry's Location headers point back at the proxy
    const forwarded = http.request({ host: upstreamHost, port: Number(upstreamPort), method: req.method, path, headers: req.headers }, (upstreamResponse) => {
      res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
      upstreamResponse.pipe(res);
    });
    forwarded.on('error', () => req.socket.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
