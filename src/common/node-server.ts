// Serving a web-standard handler (an IdP, an RP) from node:http / node:https: IncomingMessage → Request,
// Response → ServerResponse, with the client address passed along for rate limiting.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';

/** Who is on the other end of a request (for rate limits and logs). */
export interface ConnectionInfo {
  /** The client's address, as the server saw it (or as a trusted proxy said). */
  remoteAddress?: string;
}

/** Any `(Request, info) => Response` handler: an Idp, the reference RP, a Hono app's `fetch`, ... */
export type FetchHandler = (request: Request, info: ConnectionInfo) => Response | Promise<Response>;

export interface NodeListenerOptions {
  /**
   * Behind a reverse proxy: take the client address from the last `X-Forwarded-For` entry and
   * the scheme from `X-Forwarded-Proto`. Off by default (anyone could send those headers).
   */
  trustProxy?: boolean;
}

/** The Request a node:http request describes. The body streams; nothing is buffered here. */
export function toRequest(req: IncomingMessage, options: NodeListenerOptions = {}): Request {
  const encrypted = (req.socket as TLSSocket).encrypted === true;
  const forwardedProto = options.trustProxy ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim() : '';
  const scheme = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : encrypted ? 'https' : 'http';
  const host = req.headers.host ?? `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 0}`;
  // Express-style routers rewrite req.url under a mount path; originalUrl keeps the real one.
  const path = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  let url: URL;
  try {
    url = new URL(path, `${scheme}://${host}`);
  } catch {
    url = new URL(path.startsWith('/') ? path : '/', `${scheme}://invalid-host.invalid`);
  }
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.startsWith(':')) continue;
    try {
      headers.append(name, req.rawHeaders[i + 1]!);
    } catch {
      // A header value fetch refuses (e.g. a bare CR) is dropped rather than failing the request.
    }
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(url, {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
}

export function connectionInfo(req: IncomingMessage, options: NodeListenerOptions = {}): ConnectionInfo {
  if (options.trustProxy) {
    const forwarded = String(req.headers['x-forwarded-for'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const last = forwarded.at(-1);
    if (last !== undefined) return { remoteAddress: last };
  }
  return req.socket.remoteAddress === undefined ? {} : { remoteAddress: req.socket.remoteAddress };
}

/** Writes a Response (status, every header including repeated Set-Cookie, streamed body). */
export async function writeResponse(res: ServerResponse, response: Response, method = 'GET'): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (response.body === null || method === 'HEAD') {
    res.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
  }
  res.end();
}

/** A node:http request listener that runs `handler`: `http.createServer(toNodeListener(idp))`. */
export function toNodeListener(handler: FetchHandler, options: NodeListenerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    res.on('error', () => {});
    void (async () => {
      try {
        const response = await handler(toRequest(req, options), connectionInfo(req, options));
        await writeResponse(res, response, req.method);
      } catch {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { error: 'server_error', code: 'server_error', error_description: 'The server failed to answer.' } }));
        } else {
          res.destroy();
        }
      }
    })();
  };
}

export interface ServeOptions extends NodeListenerOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface RunningServer {
  readonly server: http.Server | https.Server;
  readonly port: number;
  /** e.g. `https://127.0.0.1:8443`. */
  readonly url: string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Serves `handler` over HTTP or HTTPS until close(). */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const listener = toNodeListener(handler, options);
  const server = options.tls === undefined ? http.createServer(listener) : https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener);
  // A client that drops the TLS handshake is not the server's problem.
  server.on('tlsClientError', () => {});
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    port,
    url: `${options.tls === undefined ? 'http' : 'https'}://${shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
