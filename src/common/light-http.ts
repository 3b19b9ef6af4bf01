// The Node path of a web-standard handler (fedkit issue 15 §1): what a handler reads of a
// request and what it answers, without building a WHATWG `Request` or `Response`. On Node 20
// making a `Request` (URL, Headers, an AbortSignal, a web stream for the body) and reading back a
// `Response` (another web stream) cost more than the HTTP exchange itself. A handler that can
// answer a LightRequest with a LightReply exposes that function under LIGHT_HANDLER;
// toNodeListener, serve() and the IdP's Express and Fastify adapters then use it with a request
// read straight from the IncomingMessage and a reply written straight to the ServerResponse.
// The handler itself stays `(Request) => Promise<Response>` for every other server.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyReadError, BodyTooLargeError, readBodyBytes } from './body.js';
import { isHeaderName, isInvalidHeaderValue, isNormalizedHeaderValue, normalizeHeaderValue } from './header-syntax.js';

/** Who is on the other end of a request (for rate limits and logs). */
export interface ConnectionInfo {
  /** The client's address, as the server saw it (or as a trusted proxy said). */
  remoteAddress?: string;
}

/** The request as a handler reads it: the same values a `Request` built from it would give. */
export interface LightRequest {
  readonly method: string;
  /** The absolute URL (`Request.url`). */
  readonly url: string;
  /** The URL's path (`new URL(url).pathname`). */
  readonly pathname: string;
  /** `Request.headers.get()`: repeated headers joined with ", ", null when absent. */
  readonly headers: { get(name: string): string | null };
  /**
   * The body's bytes, at most `maxBytes` (readBodyBytes: BodyTooLargeError past the limit, the
   * Content-Length checked first; BodyReadError when it breaks off). Empty for GET and HEAD.
   */
  bytes(maxBytes: number): Promise<Uint8Array>;
  /** The `Request` itself (on the Node path, made on demand for the error hook; its body is not kept). */
  toRequest(): Request;
}

/** An answer with a complete text body (every answer of the IdP), written without a web stream. */
export interface LightReply {
  readonly status: number;
  /** Header names lower-case, each once (values joined as Headers joins them); Set-Cookie apart. */
  readonly headers: ReadonlyMap<string, string>;
  readonly setCookies: readonly string[];
  readonly body: string | null;
}

export type LightHandler = (request: LightRequest, info: ConnectionInfo) => Promise<LightReply>;

/** Where a handler exposes its LightHandler (a well-known symbol, so two copies of fedkit agree). */
export const LIGHT_HANDLER: unique symbol = Symbol.for('fedkit.lightHandler') as never;

export function lightHandlerOf(handler: object): LightHandler | undefined {
  const light = (handler as { [LIGHT_HANDLER]?: unknown })[LIGHT_HANDLER];
  return typeof light === 'function' ? (light as LightHandler) : undefined;
}

/** A `Request` as a LightRequest: the same object underneath, read the way the handler always read it. */
export function lightFromRequest(request: Request): LightRequest {
  return {
    method: request.method,
    url: request.url,
    get pathname() {
      return new URL(request.url).pathname;
    },
    headers: request.headers,
    bytes: (maxBytes) => readBodyBytes(request, maxBytes),
    toRequest: () => request,
  };
}

/** A LightReply as a `Response` (the headers through `Headers`, as the web path always had them). */
export function lightToResponse(reply: LightReply): Response {
  const headers = new Headers();
  for (const [name, value] of reply.headers) headers.set(name, value);
  for (const cookie of reply.setCookies) headers.append('set-cookie', cookie);
  return new Response(reply.body, { status: reply.status, headers });
}

/**
 * The request a node:http IncomingMessage describes, with the headers, URL and body a `Request`
 * made by toRequest() would have: every raw header (pseudo-headers and values fetch refuses
 * dropped, repeats joined with ", "), and for a body a parser already read (`given`), the
 * framing headers of the bytes as they now are.
 */
export function lightFromIncoming(req: IncomingMessage, url: URL, given: Uint8Array | undefined, toRequest: () => Request): LightRequest {
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const bytes = hasBody ? given : undefined;
  let headers: Map<string, string> | undefined;
  const table = (): Map<string, string> => {
    if (headers !== undefined) return headers;
    headers = new Map();
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      if (name.startsWith(':') || !isHeaderName(name)) continue;
      if (bytes !== undefined && (name === 'content-length' || name === 'content-encoding' || name === 'transfer-encoding')) continue;
      const value = normalizeHeaderValue(raw[i + 1]!);
      if (isInvalidHeaderValue(value)) continue;
      const before = headers.get(name);
      headers.set(name, before === undefined ? value : `${before}, ${value}`);
    }
    if (bytes !== undefined) headers.set('content-length', String(bytes.byteLength));
    return headers;
  };
  return {
    method,
    url: url.href,
    pathname: url.pathname,
    headers: { get: (name) => table().get(name.toLowerCase()) ?? null },
    bytes: async (maxBytes) => {
      if (!hasBody) return new Uint8Array(0);
      if (bytes !== undefined) {
        if (bytes.byteLength > maxBytes) throw new BodyTooLargeError(maxBytes, String(bytes.byteLength));
        return bytes;
      }
      const declared = table().get('content-length');
      return readIncoming(req, maxBytes, declared !== undefined && Number(declared) > maxBytes ? declared : undefined);
    },
    toRequest,
  };
}

/**
 * The body of `req`, at most `maxBytes`, read from the stream itself. Past the limit it stops
 * taking chunks and lets node:http discard the rest (so the connection still carries the 413,
 * as with the web stream's cancel); a request that closes or fails before its end is a
 * BodyReadError.
 */
function readIncoming(req: IncomingMessage, maxBytes: number, declared: string | undefined): Promise<Uint8Array> {
  if (req.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        done();
        req.resume();
        reject(new BodyTooLargeError(maxBytes, declared));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (error: unknown): void => {
      done();
      reject(new BodyReadError(error));
    };
    const onClose = (): void => {
      done();
      reject(new BodyReadError(new Error('The connection closed before the body ended.')));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/**
 * Writes a LightReply straight to the ServerResponse (no body for HEAD, as writeResponse): the
 * head as node:http's flat [name, value, …] list, in the order Headers iterates them (sorted),
 * Set-Cookie last, one line per cookie, and the body's length; the body as the string it is, so
 * node:http sends head and body in one write without a Buffer made for it. Headers the app set
 * before (res.setHeader, Express middleware) are kept unless the reply names them too.
 */
export function writeLightReply(res: ServerResponse, reply: LightReply, method = 'GET'): void {
  const head: string[] = [];
  for (const name of [...reply.headers.keys()].sort()) head.push(name, reply.headers.get(name)!);
  for (const cookie of reply.setCookies) head.push('set-cookie', cookie);
  if (reply.body !== null) head.push('content-length', String(Buffer.byteLength(reply.body)));
  res.writeHead(reply.status, head);
  if (reply.body === null || method === 'HEAD') res.end();
  else res.end(reply.body);
}

/**
 * The header table a `Headers` built from the flat list `list` (name, value, …) would hold (names
 * lower-case, values normalized, repeats joined with ", "), or undefined when `Headers` would refuse one of them
 * (a name that is no token, a value with NUL, CR or LF): the caller then builds the `Request`
 * itself, which throws exactly as it always did.
 */
export function lightHeaderTable(list: readonly string[]): Map<string, string> | undefined {
  const table = new Map<string, string>();
  for (let i = 0; i + 1 < list.length; i += 2) {
    const rawName = list[i]!;
    const rawValue = list[i + 1]!;
    if (!isHeaderName(rawName)) return undefined;
    const value = normalizeHeaderValue(rawValue);
    if (isInvalidHeaderValue(value)) return undefined;
    const name = rawName.toLowerCase();
    const before = table.get(name);
    table.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return table;
}

/**
 * A LightRequest from values already in hand (the agent's in-process transport): the method,
 * the parsed URL (its href and pathname), a header table from lightHeaderTable() and the body's bytes (null for none).
 * bytes() answers as readBodyBytes() answers for the `Request` toRequest() makes: empty without
 * a body, BodyTooLargeError past `maxBytes` (the Content-Length named when it is over too).
 */
export function lightFromValues(method: string, url: Pick<URL, 'href' | 'pathname'>, headers: ReadonlyMap<string, string>, body: Uint8Array | null, toRequest: () => Request): LightRequest {
  return {
    method,
    url: url.href,
    pathname: url.pathname,
    headers: { get: (name) => headers.get(name.toLowerCase()) ?? null },
    bytes: async (maxBytes) => {
      if (body === null) return new Uint8Array(0);
      if (body.byteLength > maxBytes) {
        const declared = headers.get('content-length');
        throw new BodyTooLargeError(maxBytes, declared !== undefined && Number(declared) > maxBytes ? declared : undefined);
      }
      return body;
    },
    toRequest,
  };
}

/** Fetch §"null body status": a Response with one of these cannot have a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Whether lightToResponse(reply) would give back the reply as it is: a status `Response`
 * accepts with this body, header names lower-case tokens (Set-Cookie only in `setCookies`) and
 * values `Headers` keeps unchanged. A reader of the reply that skips the `Response` (the agent's
 * in-process transport) reads it directly only then, and otherwise through lightToResponse, so
 * a reply `Response` would refuse or rewrite fails or reads the same on both paths.
 */
export function lightReplyAsIs(reply: LightReply): boolean {
  if (!Number.isInteger(reply.status) || reply.status < 200 || reply.status > 599) return false;
  if (reply.body !== null && NULL_BODY_STATUSES.has(reply.status)) return false;
  for (const [name, value] of reply.headers) {
    if (name === 'set-cookie' || !isHeaderName(name) || name.toLowerCase() !== name) return false;
    if (isInvalidHeaderValue(value) || !isNormalizedHeaderValue(value)) return false;
  }
  for (const cookie of reply.setCookies) if (isInvalidHeaderValue(cookie) || !isNormalizedHeaderValue(cookie)) return false;
  return true;
}

/** Content types whose body is text (what a LightReply's string body can carry unchanged). */
const TEXT_TYPE = /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript|x-www-form-urlencoded)\b)/i;

/**
 * A web handler's `Response` as a LightReply, for a handler that routes some requests to a web
 * handler and the others to a LightHandler (the test IdP's own routes, a host router). Its body
 * is read as text, so only a text body (or none) is accepted: a binary one would not survive
 * the string, and is refused with a TypeError instead of being corrupted.
 */
export async function lightFromResponse(response: Response): Promise<LightReply> {
  const type = response.headers.get('content-type');
  if (response.body !== null && type !== null && !TEXT_TYPE.test(type)) {
    throw new TypeError(`lightFromResponse: a ${type} body is not text; serve it through the Request/Response path`);
  }
  const headers = new Map<string, string>();
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers.set(name, value);
  return { status: response.status, headers, setCookies: response.headers.getSetCookie(), body: response.body === null ? null : await response.text() };
}
