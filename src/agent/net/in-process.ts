// The in-process transport: requests for chosen origins go to a WHATWG fetch handler
// (`(request: Request) => Response | Promise<Response>`: fedkit's IdP kit, the reference RP, a
// Hono app's `fetch`) instead of over TCP and TLS, and every other origin goes to the real
// connection pool. It is an undici Dispatcher, so the fetcher above `dispatch()` is the same for
// both: the header list it builds (Host, Cookie, Origin, Sec-Fetch-*), redirects, CORS, the body
// size limit, timeouts, the fetch records and diagnostics do not know which transport ran.
//
// What the handler receives is the request a server would read off the wire: the fetcher's
// header list as written, plus what undici itself writes there (`connection: keep-alive`, and
// `content-length` for a POST; see the top of fetcher.ts), the body as bytes (never a string, so
// no Content-Type is invented), and an abort signal that fires when the agent gives up (timeout,
// abort, agent closed) as a closed connection would tell a server. What the agent receives is the
// handler's Response as a client would read it: status, status text, every header (each Set-Cookie
// line separately, Headers.getSetCookie()), and the body streamed chunk by chunk with backpressure,
// so the fetcher's size limit stops reading as soon as it is passed. A Content-Length that does not
// match the body fails the request as undici fails such a response on the wire.
//
// A handler that also answers LightRequests (fedkit's IdP kit exposes one under LIGHT_HANDLER,
// common/light-http.ts) is called that way instead: the same URL, header values and body bytes
// as the Request would carry (the Request itself made only if the handler asks for it, e.g. for
// its error hook), and its LightReply handed on as the Response lightToResponse makes of it would
// be (status, headers in Headers order, each Set-Cookie line, the body as one chunk), without
// building either. Whatever the Request or the Response would refuse or rewrite takes the
// Request/Response path, so it fails or reads exactly as before.
//
// A handler that throws (or rejects, or answers something that is not a Response, or a
// Response.error()) is a server that reset the connection: the request fails with a network
// error whose message names the origin and the handler's error (InProcessHandlerError; the
// fetcher turns it into a NetError 'connection'). Such a request is never resent: the keep-alive
// resend logic (connection-reuse.ts) needs a reused socket, and an in-process request has none.

import { Readable } from 'node:stream';
import { Dispatcher, errors } from 'undici';
import type { HopResponse } from './hop-response.js';
import { DispatchResponse, type ExchangeSignal } from './dispatch-response.js';
import { memoized } from '../../common/memo.js';
import { lightFromValues, lightHandlerOf, lightHeaderTable, lightReplyAsIs, lightToResponse, type LightReply, type LightRequest } from '../../common/light-http.js';

/** What an in-process handler is told about the "connection" a request came on. */
export interface InProcessConnectionInfo {
  /** The client address a server would see: always the loopback address `127.0.0.1`. */
  readonly remoteAddress: string;
}

/**
 * A WHATWG fetch handler that answers an origin's requests in-process. The second argument is
 * optional to use; fedkit's `FetchHandler` (IdP kit, node adapters) reads `remoteAddress` from it.
 */
export type InProcessHandler = (request: Request, info: InProcessConnectionInfo) => Response | Promise<Response>;

/** A serialized http(s) origin, as a type: `https://idp.example`, `http://localhost:8080`. */
export type HttpOrigin = `https://${string}` | `http://${string}`;

/**
 * Handlers by exact origin (`https://idp.example`; `https://idp.example:8443` is another origin).
 * A key without an http(s) scheme is a compile error; the rest (no path, canonical spelling) is
 * checked when the agent is created.
 */
export type InProcessHandlers = { readonly [origin: HttpOrigin]: InProcessHandler };

/** The address every in-process request "comes from". */
export const IN_PROCESS_REMOTE_ADDRESS = '127.0.0.1';

/** The code of an InProcessHandlerError (on the error, as Node's errors carry theirs). */
export const HANDLER_FAILED_CODE = 'FEDKIT_HANDLER_FAILED';

/** An in-process handler failed to answer: the request fails as one whose connection was reset. */
export class InProcessHandlerError extends Error {
  override readonly name = 'InProcessHandlerError';
  readonly code = HANDLER_FAILED_CODE;
  constructor(
    readonly origin: string,
    what: string,
    options?: { cause?: unknown },
  ) {
    super(`the in-process handler for ${origin} ${what}`, options);
  }
}

/**
 * Checks a `handlers` option and returns it as a map by origin. Keys must be bare http(s)
 * origins as `URL.origin` serializes them; values functions.
 * @throws TypeError naming the option (`where`) and the offending key.
 */
export function parseHandlers(handlers: unknown, where: string): Map<string, InProcessHandler> {
  if (typeof handlers !== 'object' || handlers === null || Array.isArray(handlers)) {
    throw new TypeError(`${where}: handlers must be an object of origin → fetch handler, e.g. { 'https://idp.example': idp }, got ${describe(handlers)}.`);
  }
  const map = new Map<string, InProcessHandler>();
  for (const [key, value] of Object.entries(handlers)) {
    let url: URL | undefined;
    try {
      url = new URL(key);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new TypeError(`${where}: handlers key ${JSON.stringify(key)} is not an http(s) origin; use one like 'https://idp.example'.`);
    }
    // An origin is scheme, host and port only: `https://idp.example/` (a path), `?q`, `#f` or
    // user info would mean something the transport cannot honour, so they are refused, not trimmed.
    if (url.origin !== key && `${url.origin}/` !== key) {
      throw new TypeError(`${where}: handlers key ${JSON.stringify(key)} is not a bare origin (it has a path, query, fragment, user info or a non-canonical spelling); use ${JSON.stringify(url.origin)}.`);
    }
    if (typeof value !== 'function') {
      throw new TypeError(`${where}: the handler for ${url.origin} must be a function (request: Request) => Response | Promise<Response>, got ${describe(value)}.`);
    }
    if (map.has(url.origin)) throw new TypeError(`${where}: handlers has ${url.origin} twice.`);
    map.set(url.origin, value as InProcessHandler);
  }
  return map;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/** The legacy (onConnect/onHeaders/onData/onComplete/onError) handler undici's request() passes. */
type LegacyHandler = Required<Pick<Dispatcher.DispatchHandler, 'onConnect' | 'onHeaders' | 'onData' | 'onComplete' | 'onError'>>;

function isLegacy(handler: Dispatcher.DispatchHandler): handler is Dispatcher.DispatchHandler & LegacyHandler {
  return typeof handler.onHeaders === 'function' && typeof handler.onData === 'function' && typeof handler.onComplete === 'function' && typeof handler.onError === 'function';
}

/** Methods whose request has a body by definition: undici writes `content-length: 0` without one. */
const PAYLOAD_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Encodes a reply's text: a fresh Uint8Array of its own (Buffer.from may slice the shared pool). */
const UTF8 = new TextEncoder();

/**
 * Routes requests for the handlers' origins to them, and every other request to `fallback` (the
 * agent's connection pool). `close()` and `destroy()` reach the fallback too.
 */
export class InProcessDispatcher extends Dispatcher {
  readonly #handlers: ReadonlyMap<string, InProcessHandler>;
  readonly #fallback: Dispatcher;
  /** Aborts every in-process exchange still running (destroy()). */
  readonly #inFlight = new Set<(reason: Error) => void>();
  #closed = false;

  constructor(handlers: ReadonlyMap<string, InProcessHandler>, fallback: Dispatcher) {
    super();
    this.#handlers = handlers;
    this.#fallback = fallback;
  }

  /** The origins answered in-process. */
  get origins(): string[] {
    return [...this.#handlers.keys()];
  }

  /** Whether requests to `origin` (serialized, as `URL.origin`) are answered in-process. */
  handles(origin: string): boolean {
    return this.#handlers.has(origin);
  }

  /**
   * One exchange for an origin this answers (handles()), read by the fetcher without undici's
   * request() layer (dispatch-response.ts): what `request(options)` would answer, as a
   * HopResponse. A closed transport fails as dispatch() fails then.
   */
  exchange(origin: string, options: Dispatcher.DispatchOptions & { signal?: ExchangeSignal }): Promise<HopResponse> {
    const serve = this.#handlers.get(origin);
    if (serve === undefined) return Promise.reject(new TypeError(`InProcessDispatcher: no handler for ${origin}`));
    const reader = new DispatchResponse(options.signal);
    if (this.#closed) reader.onError(new errors.ClientClosedError());
    else void this.#exchange(serve, origin, options, reader);
    return reader.head;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    // The fetcher passes `url.origin`, already serialized: a handler key (canonical, parseHandlers)
    // is taken as it is; anything else is parsed and serialized first.
    const given = options.origin === undefined ? undefined : String(options.origin);
    const origin = given === undefined ? undefined : this.#handlers.has(given) ? given : new URL(given).origin;
    const serve = origin === undefined ? undefined : this.#handlers.get(origin);
    if (serve === undefined || origin === undefined) return this.#fallback.dispatch(options, handler);
    if (!isLegacy(handler)) {
      throw new TypeError('InProcessDispatcher: only handlers with the onConnect/onHeaders/onData/onComplete/onError API (undici request()) are supported');
    }
    if (this.#closed) {
      handler.onError(new errors.ClientClosedError());
      return false;
    }
    void this.#exchange(serve, origin, options, handler);
    return true;
  }

  /** One request and its response, delivered to the undici handler as a connection would. */
  async #exchange(serve: InProcessHandler, origin: string, options: Dispatcher.DispatchOptions, handler: LegacyHandler): Promise<void> {
    // The Request's signal: the caller's when it is an AbortSignal; otherwise (the fetcher's
    // FetchSignal, fetch-signal.ts) one of ours, made only when a Request is (AbortControllers
    // are not free in Node), aborted by fail() as the caller's abort reaches it through
    // onConnect's callback. Either way the handler's request.signal follows the agent's.
    const given = (options as { signal?: unknown }).signal;
    let controller: AbortController | undefined;
    let failure: Error | undefined;
    const signal = (): AbortSignal => {
      if (given instanceof AbortSignal) return given;
      if (controller === undefined) {
        controller = new AbortController();
        if (failure !== undefined) controller.abort(failure);
      }
      return controller.signal;
    };
    let finished = false;
    // The Request handed to the handler, held until the exchange ends: a Request's signal follows
    // the one it was made with only while the Request lives (undici holds its controller through
    // a WeakRef), so a handler that kept only `request.signal` would otherwise miss the abort
    // whenever a collection ran first.
    let _held: Request | undefined;
    const keep = (request: Request): Request => (_held = request);
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    /** Set while the body loop waits for the reader's resume() (backpressure). */
    let resumeWaiter: (() => void) | undefined;
    const finish = (): boolean => {
      if (finished) return false;
      finished = true;
      _held = undefined;
      this.#inFlight.delete(fail);
      return true;
    };
    // The one way an exchange fails: the agent aborted it (abort(), a timeout, the size limit
    // destroying the body) or the handler failed. The handler sees request.signal abort for the
    // first two, and its response stream cancelled once it has answered.
    function fail(error: Error): void {
      if (!finish()) return;
      failure = error;
      controller?.abort(error);
      void reader?.cancel(error).catch(() => {});
      // A body loop paused for backpressure ends too (it sees `finished`).
      const waiter = resumeWaiter;
      resumeWaiter = undefined;
      waiter?.();
      handler.onError(error);
    }
    this.#inFlight.add(fail);
    handler.onConnect((reason?: Error) => fail(reason ?? new errors.RequestAbortedError()));
    if (finished) return;
    // Leave dispatch()'s synchronous call: connection-reuse.ts links the next undici request
    // created synchronously to this attempt, and a handler that calls out with undici must not
    // be taken for it.
    await Promise.resolve();
    if (finished) return;

    // A handler with a light path (fedkit's IdP kit, common/light-http.ts) is asked without a
    // Request, and its reply read without a Response, whenever both can be skipped unchanged
    // (lightRequestOf, lightReplyAsIs); otherwise, and for every other handler, the Request path.
    const light = lightHandlerOf(serve);
    let answer: Answer;
    try {
      const lightRequest = light === undefined ? undefined : lightRequestOf(origin, options, signal, keep);
      let response: unknown;
      if (light !== undefined && lightRequest !== undefined) {
        const reply = await light(lightRequest, { remoteAddress: IN_PROCESS_REMOTE_ADDRESS });
        if (finished) return;
        // Otherwise what the Response path would make of it (or the error it would throw, as the handler's).
        response = lightReplyAsIs(reply) ? undefined : lightToResponse(reply);
        if (response === undefined) answer = replyAnswer(reply);
      } else {
        response = await serve(keep(toRequest(origin, options, signal())), { remoteAddress: IN_PROCESS_REMOTE_ADDRESS });
      }
      if (response !== undefined) {
        if (!isResponse(response)) {
          fail(new InProcessHandlerError(origin, `answered ${describe(response)} instead of a Response`));
          return;
        }
        if (finished) {
          void response.body?.cancel().catch(() => {});
          return;
        }
        if (response.type === 'error') {
          fail(new InProcessHandlerError(origin, 'answered Response.error() (a network error)'));
          return;
        }
        answer = responseAnswer(response);
      }
    } catch (error) {
      if (finished) return;
      fail(new InProcessHandlerError(origin, `threw ${errorText(error)}`, { cause: error }));
      return;
    }

    const resume = (): void => {
      const waiter = resumeWaiter;
      resumeWaiter = undefined;
      waiter?.();
    };
    const body = answer!.body;
    try {
      // The fetcher's reader takes the header text as it is; any other undici handler gets the bytes.
      if (handler instanceof DispatchResponse) handler.onHead(answer!.status, answer!.headers, resume);
      else handler.onHeaders(answer!.status, answer!.headers.map((text) => Buffer.from(text, 'latin1')), resume, answer!.statusText);
    } catch (error) {
      if (body instanceof ReadableStream) void body.cancel().catch(() => {});
      fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (finished) {
      if (body instanceof ReadableStream) void body.cancel().catch(() => {});
      return;
    }

    const declared = answer!.contentLength;
    const expected = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
    let received = 0;
    if (body !== null && options.method !== 'HEAD') {
      // A reply's body is one chunk, in hand; a Response's is read from its stream.
      let pending: Uint8Array | undefined = body instanceof ReadableStream || body.byteLength === 0 ? undefined : body;
      reader = body instanceof ReadableStream ? body.getReader() : undefined;
      try {
        while (true) {
          let value: Uint8Array | undefined;
          if (reader !== undefined) {
            const chunk = await reader.read();
            if (finished) return;
            value = chunk.done ? undefined : chunk.value;
          } else {
            value = pending;
            pending = undefined;
          }
          if (value === undefined) break;
          received += value.byteLength;
          if (expected !== undefined && received > expected) break;
          // A reply's bytes are this answer's own: the fetcher's reader may keep them without a copy.
          const more =
            reader === undefined && handler instanceof DispatchResponse
              ? handler.onOwnedData(value)
              : handler.onData(Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));
          if (finished) return;
          // Backpressure: the reader paused (onData returned false) until it calls resume().
          if (more === false) await new Promise<void>((resolve) => (resumeWaiter = resolve));
          if (finished) return;
        }
      } catch (error) {
        if (finished) return;
        fail(new InProcessHandlerError(origin, `failed while streaming the response body: ${errorText(error)}`, { cause: error }));
        return;
      }
    } else if (body instanceof ReadableStream) {
      void body.cancel().catch(() => {});
    }
    // RFC 9112 §6.3: a body shorter or longer than its Content-Length is an incomplete message;
    // undici fails the response on the wire the same way (RequestContentLengthMismatch).
    if (expected !== undefined && received !== expected && options.method !== 'HEAD') {
      void reader?.cancel().catch(() => {});
      fail(new errors.ResponseContentLengthMismatchError());
      return;
    }
    if (!finish()) return;
    handler.onComplete([]);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.#closed = true;
    const closing = this.#fallback.close();
    if (callback === undefined) return closing;
    void closing.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    this.#closed = true;
    const err = typeof errOrCallback === 'function' || errOrCallback === undefined || errOrCallback === null ? new errors.ClientDestroyedError() : errOrCallback;
    for (const fail of [...this.#inFlight]) fail(err);
    const destroying = this.#fallback.destroy(err);
    const done = typeof errOrCallback === 'function' ? errOrCallback : callback;
    if (done === undefined) return destroying;
    void destroying.then(done, done);
  }
}

/**
 * A Response, from this realm or another (a handler defined inside a vm context, as Jest runs
 * tests, answers with that context's Response): what the transport reads of it, by shape.
 */
function isResponse(value: unknown): value is Response {
  if (value instanceof Response) return true;
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<Response>;
  return typeof r.status === 'number' && typeof r.statusText === 'string' && typeof r.headers?.getSetCookie === 'function' && (r.body === null || typeof r.body?.getReader === 'function');
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** What the transport hands on of an answer, from a Response or straight from a LightReply. */
interface Answer {
  status: number;
  statusText: string;
  /** The raw name/value list undici's parser hands on (Set-Cookie lines kept apart), as the latin1 text of the bytes. */
  headers: string[];
  /** The Content-Length header's value, null without one. */
  contentLength: string | null;
  /** A Response's stream, a reply's bytes (made by replyAnswer, for this answer alone), or null. */
  body: ReadableStream<Uint8Array> | Uint8Array | null;
}

function responseAnswer(response: Response): Answer {
  return { status: response.status, statusText: response.statusText, headers: rawHeaders(response.headers), contentLength: response.headers.get('content-length'), body: response.body };
}

/**
 * A LightReply (lightReplyAsIs) as lightToResponse would hand it on: the status text empty, the
 * header names in the order Headers iterates them (sorted), the Content-Type `new Response(text)`
 * adds to a text body without one, each Set-Cookie line after the rest, and the body as UTF-8.
 */
function replyAnswer(reply: LightReply): Answer {
  const names = [...reply.headers.keys()];
  // Fetch §"extract a body": a string body's type, when the headers have none.
  const implicitType = reply.body !== null && !reply.headers.has('content-type');
  if (implicitType) names.push('content-type');
  names.sort();
  const headers: string[] = [];
  for (const name of names) headers.push(name, asOnTheWire(reply.headers.get(name) ?? 'text/plain;charset=UTF-8'));
  for (const line of reply.setCookies) headers.push('set-cookie', asOnTheWire(line));
  return { status: reply.status, statusText: '', headers, contentLength: reply.headers.get('content-length') ?? null, body: reply.body === null ? null : UTF8.encode(reply.body) };
}

/**
 * A header value as a client reads it back from the wire: written as latin1 bytes (one byte per
 * UTF-16 unit, its low byte) and decoded as latin1, which changes only units above U+00FF.
 */
function asOnTheWire(value: string): string {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) return Buffer.from(value, 'latin1').toString('latin1');
  return value;
}

/** What undici would write for `options` (client-h1.js writeH1): the header list flat (name, value, …) and the body bytes or stream. */
interface Wire {
  headers: string[];
  body: Uint8Array | ReadableStream<Uint8Array> | null;
}

/**
 * The header list in order, `connection` after `host`, `content-length` last (or
 * `transfer-encoding: chunked` for a streamed body), and the body.
 */
function wireOf(origin: string, options: Dispatcher.DispatchOptions): Wire {
  const headers: string[] = [];
  const connection = options.reset === true ? 'close' : 'keep-alive';
  let hasHost = false;
  const given = headerList(options.headers);
  for (let i = 0; i + 1 < given.length; i += 2) {
    const name = given[i]!;
    headers.push(name, given[i + 1]!);
    if (name.length === 4 && name.toLowerCase() === 'host') {
      hasHost = true;
      headers.push('connection', connection);
    }
  }
  if (!hasHost) headers.unshift('host', new URL(origin).host, 'connection', connection);
  let body: Uint8Array | ReadableStream<Uint8Array> | null = null;
  const givenBody = options.body;
  if (givenBody === undefined || givenBody === null) {
    if (PAYLOAD_METHODS.has(options.method)) headers.push('content-length', '0');
  } else if (typeof givenBody === 'string') {
    body = Buffer.from(givenBody, 'utf8');
  } else if (givenBody instanceof Uint8Array) {
    body = givenBody;
  } else if (givenBody instanceof Readable) {
    body = Readable.toWeb(givenBody) as ReadableStream<Uint8Array>;
  } else {
    throw new TypeError('InProcessDispatcher: a FormData request body is not supported');
  }
  if (body instanceof Uint8Array) headers.push('content-length', String(body.byteLength));
  else if (body !== null) headers.push('transfer-encoding', 'chunked');
  return { headers, body };
}

/** The Request a server would build from the bytes undici writes for `options`. */
function toRequest(origin: string, options: Dispatcher.DispatchOptions, signal: AbortSignal, wire: Wire = wireOf(origin, options)): Request {
  const { body } = wire;
  // Name/value pairs, not a Headers object: the Request copies them once (a Headers would be
  // copied again), which is a fifth of building it.
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < wire.headers.length; i += 2) headers.push([wire.headers[i]!, wire.headers[i + 1]!]);
  // The signal costs a third of the Request (Request follows it with a signal of its own), and
  // is what tells a handler that the client went away: kept.
  const init: RequestInit & { duplex?: 'half' } = { method: options.method, headers, signal };
  if (body !== null) {
    init.body = body as BodyInit;
    if (!(body instanceof Uint8Array)) init.duplex = 'half';
  }
  return new Request(origin + options.path, init);
}

/** Methods `new Request()` takes as they are (Fetch §"normalize a method" leaves them; none is forbidden). */
const PLAIN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The request toRequest() would make, as a LightRequest read straight from `options`: the same
 * URL (parsed as Request parses it), header values (lightHeaderTable) and body bytes, with the
 * Request itself made on demand. Undefined when the Request would refuse or rewrite something
 * (a method it normalizes or forbids, a header value it refuses, a body on GET or HEAD, a
 * streamed body, an unparsable URL): that request takes the Request path and fails or reads as
 * it always did.
 */
function lightRequestOf(origin: string, options: Dispatcher.DispatchOptions, signal: () => AbortSignal, keep: (request: Request) => Request): LightRequest | undefined {
  const method = options.method;
  if (!PLAIN_METHODS.has(method)) return undefined;
  const given = options.body;
  if (given !== undefined && given !== null && (method === 'GET' || method === 'HEAD' || !(typeof given === 'string' || given instanceof Uint8Array))) return undefined;
  const wire = wireOf(origin, options);
  if (wire.body instanceof ReadableStream) return undefined;
  const headers = lightHeaderTable(wire.headers);
  if (headers === undefined) return undefined;
  const url = parsedTarget(origin + options.path);
  // Unparsable, or with a fragment (never sent by the fetcher, whose path is pathname + search):
  // left to the Request path.
  if (url === null) return undefined;
  let request: Request | undefined;
  return lightFromValues(method, url, headers, wire.body, () => (request ??= keep(toRequest(origin, options, signal(), wire))));
}

/**
 * A request target's URL as the Request would parse it, reduced to what a LightRequest reads
 * (href, pathname), or null when it does not parse or has a fragment. Memoized: an in-process
 * IdP is asked the same few URLs on every sign-in, and a URL parse was a per cent of one. One
 * parse (URL.canParse and then new URL cost twice as much; canParse alone is slow on Node 20).
 */
const parsedTarget = memoized((target: string): { href: string; pathname: string } | null => {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  return url.hash === '' ? { href: url.href, pathname: url.pathname } : null;
}, 512);

/**
 * DispatchOptions.headers (a flat name/value array, an array of pairs, or a record) as a flat
 * list: the fetcher's own (flat, strings) as it is, any other form copied.
 */
function headerList(headers: Dispatcher.DispatchOptions['headers']): readonly string[] {
  const list: string[] = [];
  if (headers === undefined || headers === null) return list;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const [name, value] of headers as unknown as [string, string][]) list.push(String(name), String(value));
      return list;
    }
    const flat = headers as unknown[];
    if (flat.every((x) => typeof x === 'string')) return flat as string[];
    for (let i = 0; i + 1 < flat.length; i += 2) list.push(String(flat[i]), String(flat[i + 1]));
    return list;
  }
  const entries = typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function' ? [...(headers as Iterable<[string, string | string[] | undefined]>)] : Object.entries(headers as Record<string, string | string[] | undefined>);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) list.push(name, v);
    else list.push(name, String(value));
  }
  return list;
}

/**
 * The response's headers as the raw name/value list undici's parser hands on (Set-Cookie lines
 * kept apart), as text: a Headers holds ByteStrings (no unit above U+00FF), which latin1 carries
 * unchanged.
 */
function rawHeaders(headers: Headers): string[] {
  const raw: string[] = [];
  for (const [name, value] of headers) {
    if (name === 'set-cookie') continue;
    raw.push(name, value);
  }
  for (const line of headers.getSetCookie()) raw.push('set-cookie', line);
  return raw;
}
