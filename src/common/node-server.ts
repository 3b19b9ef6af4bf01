// Serving a web-standard handler (an IdP, an RP) from node:http / node:https: IncomingMessage → Request,
// Response → ServerResponse, with the client address passed along for rate limiting.

import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { lightFromIncoming, lightHandlerOf, writeLightReply, type ConnectionInfo, type LightReply, type LightRequest } from './light-http.js';
import { memoized } from './memo.js';
import { preReadBody } from './parsed-body.js';

export type { ConnectionInfo } from './light-http.js';

/** Any `(Request, info) => Response` handler: an Idp, the reference RP, a Hono app's `fetch`, ... */
export type FetchHandler = (request: Request, info: ConnectionInfo) => Response | Promise<Response>;

export interface NodeListenerOptions {
  /**
   * Behind a reverse proxy: take the client address from the last `X-Forwarded-For` entry and
   * the scheme from `X-Forwarded-Proto`. Off by default (anyone could send those headers).
   */
  trustProxy?: boolean;
  /**
   * Called with an error the handler threw or a response that could not be written, and the
   * request id the 500 answer carries (default: `console.error` of the id, the request line and
   * the error with its stack). Nothing is swallowed.
   */
  onError?: (error: unknown, req: IncomingMessage, requestId: string) => void;
}

/**
 * A request that no fetch `Request` can describe: an absolute-form target that is not an http(s)
 * URL or carries userinfo (RFC 9110 §4.2.4). toNodeListener answers it 400, and so do the
 * framework adapters.
 */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

/**
 * Methods fetch's `Request` refuses to carry (Fetch §"forbidden method"), so no FetchHandler can
 * ever serve them: toNodeListener answers them itself (see refuseMethod), `serve()` CONNECT too.
 */
const UNREPRESENTABLE_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** A short random id for one failed request, in the log line and in the 500 answer. */
function newRequestId(): string {
  return randomBytes(8).toString('hex');
}

/** `https://host[:port]` from a Host header, or undefined when the header is no bare host[:port]. */
function originOf(scheme: string, host: string | undefined): string | undefined {
  if (host === undefined || host === '' || /[/?#@\\\s]/.test(host)) return undefined;
  return originOfAuthority(`${scheme}://${host}`);
}

/** `scheme://host` as an origin, or undefined: memoized, as it is otherwise a URL parse per request. */
const originOfAuthority = memoized((authority: string): string | undefined => {
  try {
    return new URL(authority).origin;
  } catch {
    return undefined;
  }
}, 256);

/**
 * `req.headers.host` without `req.headers`: node:http builds that object on first use from every
 * raw header, which the Node path otherwise never needs. node:http keeps the first Host of a
 * request that repeats it, and so does this.
 */
function hostOf(req: IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') return raw[i + 1];
  }
  return undefined;
}

/**
 * The request's URL (RFC 9112 §3.2). An origin-form target (`/path?query`) is appended to the
 * Host's origin, never resolved against it: `//x/y` is the path `//x/y`, not the host `x`. An
 * absolute-form target (what proxies send) is taken as it is, if it is an http(s) URL without
 * userinfo; the asterisk form (`OPTIONS *`) becomes the path `/*`.
 */
function requestUrl(target: string, scheme: string, host: string | undefined, fallbackHost: string): URL {
  // No Host (HTTP/1.0): the address the request reached; a Host that is no host[:port]: a name that is nobody's.
  const origin = originOf(scheme, host ?? fallbackHost) ?? `${scheme}://invalid-host.invalid`;
  if (target.startsWith('/') || target === '*') {
    try {
      return new URL(origin + (target === '*' ? '/*' : target));
    } catch {
      throw new BadRequestError(`The request target ${JSON.stringify(target.slice(0, 200))} is not a valid path.`);
    }
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new BadRequestError(`The request target ${JSON.stringify(target.slice(0, 200))} is neither a path nor an absolute URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new BadRequestError(`The request target must be an http(s) URL, got a ${url.protocol} URL.`);
  if (url.username !== '' || url.password !== '') throw new BadRequestError('The request target carries userinfo (user:password@), which HTTP forbids (RFC 9110 §4.2.4).');
  return url;
}

/** How a framework adapter has toRequest build its Request. */
export interface ToRequestOptions extends NodeListenerOptions {
  /**
   * The scheme, as the framework decided it (Express's `req.protocol` and Fastify's
   * `request.protocol` follow their own trust-proxy setting); default: the socket's, or
   * `X-Forwarded-Proto` with `trustProxy`.
   */
  scheme?: 'http' | 'https';
  /** The body's bytes, when the framework read them (Fastify's parsers); default: the stream, or req.body (parsed-body.ts). */
  body?: Uint8Array;
}

/** The URL a node:http request is for (its target, on the Host's origin; see requestUrl). */
function requestUrlOf(req: IncomingMessage, options: ToRequestOptions = {}): URL {
  const encrypted = (req.socket as TLSSocket).encrypted === true;
  const forwardedProto = options.trustProxy ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim() : '';
  const scheme = options.scheme ?? (forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : encrypted ? 'https' : 'http');
  const local = req.socket.localAddress ?? '127.0.0.1';
  const fallbackHost = `${local.includes(':') ? `[${local}]` : local}:${req.socket.localPort ?? 0}`;
  // Express-style routers rewrite req.url under a mount path; originalUrl keeps the real one.
  const path = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  return requestUrl(path, scheme, hostOf(req), fallbackHost);
}

/**
 * The Request a node:http request describes. The body streams; nothing is buffered here, unless
 * a body parser already read the stream: then the body is rebuilt from `req.body`
 * (parsed-body.ts), or is `options.body`. Throws BadRequestError for a target no Request can
 * have, BodyAlreadyReadError for a spent body that cannot be rebuilt, and fetch's TypeError for
 * TRACE, TRACK and CONNECT (UNREPRESENTABLE_METHODS), which toNodeListener answers before asking
 * for a Request.
 */
export function toRequest(req: IncomingMessage, options: ToRequestOptions = {}): Request {
  return requestAt(req, requestUrlOf(req, options), options.body);
}

/**
 * A request body as a web ReadableStream, read on demand. Not `Readable.toWeb(req)`: its 'data'
 * listener outlives a cancel and enqueues into the closed stream, an uncaught ERR_INVALID_STATE
 * (nodejs/node#64529, open on Node 20 and later), so a client whose body is refused (413) while
 * it still streams could bring the process down. Cancelling here stops taking chunks and lets
 * node:http discard the rest, so the connection still carries the answer. A request that ends
 * before its body does (the client went away) errors the stream.
 */
export function requestBody(req: Readable): ReadableStream<Uint8Array> {
  let done = false;
  let flowing = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const finish = (error?: unknown) => {
          if (done) return;
          done = true;
          if (error === undefined) controller.close();
          else controller.error(error);
        };
        req.once('end', () => finish());
        req.once('error', (error) => finish(error));
        req.once('close', () => finish(new Error('The connection closed before the body ended.')));
      },
      pull(controller) {
        if (!flowing) {
          flowing = true;
          req.on('data', (chunk: Buffer) => {
            if (done) return;
            controller.enqueue(chunk);
            if ((controller.desiredSize ?? 0) <= 0) req.pause();
          });
        }
        req.resume();
      },
      cancel() {
        done = true;
        req.resume();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The LightRequest a node:http request describes (light-http.ts): the method, URL, headers and
 * body toRequest() would give, read straight from the IncomingMessage. Throws as toRequest does
 * (BadRequestError, BodyAlreadyReadError). Its toRequest() makes the Request without the body.
 */
export function toLightRequest(req: IncomingMessage, options: ToRequestOptions = {}): LightRequest {
  return lightAt(req, requestUrlOf(req, options), options.body);
}

function lightAt(req: IncomingMessage, url: URL, given?: Uint8Array): LightRequest {
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const bytes = !hasBody ? undefined : (given ?? preReadBody(req));
  return lightFromIncoming(req, url, bytes, () => requestAt(req, url, bytes ?? new Uint8Array(0), false));
}

function requestAt(req: IncomingMessage, url: URL, given?: Uint8Array, withBody = true): Request {
  const method = req.method ?? 'GET';
  const hasBody = withBody && method !== 'GET' && method !== 'HEAD';
  // Read before the headers are copied: a body a parser inflated and decoded is sent on as the
  // identity bytes it now is, so its framing headers must describe those bytes, not the wire's.
  const bytes = !hasBody ? undefined : (given ?? preReadBody(req));
  const reframed = bytes === undefined ? undefined : new Set(['content-length', 'content-encoding', 'transfer-encoding']);
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.startsWith(':') || reframed?.has(name.toLowerCase())) continue;
    try {
      headers.append(name, req.rawHeaders[i + 1]!);
    } catch {
      // A header value fetch refuses (e.g. a bare CR) is dropped rather than failing the request.
    }
  }
  if (bytes !== undefined) {
    headers.set('content-length', String(bytes.byteLength));
    return new Request(url, { method, headers, body: bytes as Uint8Array<ArrayBuffer> });
  }
  return new Request(url, {
    method,
    headers,
    ...(hasBody ? { body: requestBody(req), duplex: 'half' } : {}),
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

/** The JSON error body of the adapter's own answers (the IdP's shape, fedkit/idp http.ts). */
function errorJson(code: string, description: string, extra: Record<string, string> = {}): string {
  return JSON.stringify({ error: { error: code, code, error_description: description, ...extra } });
}

function errorAnswer(status: number, code: string, description: string, headers: Record<string, string> = {}): Response {
  return new Response(errorJson(code, description), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } });
}

function defaultOnError(error: unknown, req: IncomingMessage, requestId: string): void {
  console.error(`fedkit: request ${requestId} (${req.method ?? '?'} ${(req.url ?? '').slice(0, 200)}) failed:`, error);
}

/**
 * The answer to a method no fetch Request can carry (TRACE, TRACK), which the handler therefore
 * cannot be asked about directly. It is asked the one question HTTP defines for this, an OPTIONS
 * request for the same URL (RFC 9110 §9.3.7; safe, so asking changes nothing): its `Allow` makes
 * the answer a 405 with that `Allow` (RFC 9110 §15.5.6); without one, its own 4xx stands (the
 * 404 of a path nothing is served at).
 */
async function refuseMethod(handler: FetchHandler, req: IncomingMessage, url: URL, options: NodeListenerOptions): Promise<Response> {
  const probe = await handler(new Request(url, { method: 'OPTIONS' }), connectionInfo(req, options));
  const allow = probe.headers.get('allow');
  if (allow === null && probe.status >= 400 && probe.status < 500) return probe;
  await probe.body?.cancel();
  const use = allow === null || allow.trim() === '' ? '' : `; use ${allow.split(/\s*,\s*/).join(' or ')}`;
  return errorAnswer(405, 'invalid_request', `Method ${req.method ?? ''} is not allowed here${use}.`, allow === null ? {} : { allow });
}

/**
 * The request's URL, or the adapter's own answer when the request cannot be handed over (a
 * target that is no URL: 400; a method a WHATWG Request cannot carry: refuseMethod).
 */
function urlOrRefusal(handler: FetchHandler, req: IncomingMessage, options: NodeListenerOptions): URL | Response | Promise<Response> {
  let url: URL;
  try {
    url = requestUrlOf(req, options);
  } catch (e) {
    if (e instanceof BadRequestError) return errorAnswer(400, 'invalid_request', e.message);
    throw e;
  }
  if (UNREPRESENTABLE_METHODS.has(req.method ?? '')) return refuseMethod(handler, req, url, options);
  return url;
}

/** What the handler answers to `req`, or the adapter's own answer to a request it cannot hand over. */
async function answer(handler: FetchHandler, req: IncomingMessage, options: NodeListenerOptions): Promise<Response> {
  const url = urlOrRefusal(handler, req, options);
  if (!(url instanceof URL)) return url;
  return handler(requestAt(req, url), connectionInfo(req, options));
}

/** answer() for a handler with a LightHandler: the same adapter answers, the handler asked without a Request. */
async function answerLight(light: (request: LightRequest, info: ConnectionInfo) => Promise<LightReply>, handler: FetchHandler, req: IncomingMessage, options: NodeListenerOptions): Promise<Response | LightReply> {
  const url = urlOrRefusal(handler, req, options);
  if (!(url instanceof URL)) return url;
  return light(lightAt(req, url), connectionInfo(req, options));
}

/**
 * A node:http request listener that runs `handler`: `http.createServer(toNodeListener(idp))`.
 * A request that cannot become a fetch Request is answered here: 400 for a malformed target,
 * 405 for TRACE / TRACK (refuseMethod). Anything the handler throws is passed to `onError` with
 * a request id and answered 500 with that id.
 */
export function toNodeListener(handler: FetchHandler, options: NodeListenerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const onError = options.onError ?? defaultOnError;
  // A handler that answers LightRequests (the IdP) is asked without a Request, and its reply is
  // written without a Response (light-http.ts); any other handler gets the Request.
  const light = lightHandlerOf(handler);
  return (req, res) => {
    res.on('error', () => {});
    void (async () => {
      try {
        if (light !== undefined) {
          const reply = await answerLight(light, handler, req, options);
          if (reply instanceof Response) await writeResponse(res, reply, req.method);
          else writeLightReply(res, reply, req.method);
          return;
        }
        await writeResponse(res, await answer(handler, req, options), req.method);
      } catch (e) {
        const requestId = newRequestId();
        try {
          onError(e, req, requestId);
        } catch (inner) {
          defaultOnError(e, req, requestId);
          defaultOnError(inner, req, requestId);
        }
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(errorJson('server_error', `The server failed to answer (request id ${requestId}).`, { request_id: requestId }));
        } else {
          res.destroy();
        }
      }
    })();
  };
}

/**
 * CONNECT asks for a tunnel (RFC 9110 §9.3.6), which these servers never give; node:http closes
 * the connection unanswered unless someone listens for it. Answered 405 with an empty `Allow`:
 * the target (an authority, not a resource) allows no method here. The socket is node:http's no
 * more: what the client still sends is read and dropped, and the socket is destroyed once the
 * answer is out (a socket left with unread bytes never closes, and server.close() waits for it).
 */
function refuseConnect(_req: IncomingMessage, socket: Duplex): void {
  socket.on('error', () => {});
  socket.resume();
  const body = errorJson('invalid_request', 'CONNECT is not served here: this server is no proxy.');
  socket.end(
    `HTTP/1.1 405 Method Not Allowed\r\nAllow: \r\nContent-Type: application/json\r\nCache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
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
  server.on('connect', refuseConnect);
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
