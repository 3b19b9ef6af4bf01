// The agent's phone: where SMS messages arrive for WebOTP (`get({otp: {transport: ['sms']}})`).
// A browser gets them from the OS (Android's SMS User Consent API); the agent gets them from the
// caller: `agent.sms.receive(text)`, a source callback called when a page starts waiting, or a
// loopback HTTP endpoint that tests and local servers POST messages to.
//
// As on Android, only messages that arrive while a request waits count: the inbox keeps nothing.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLocalhost } from '../../common/site.js';
import type { DiagnosticInit } from '../base/diagnostics.js';

/** What a source is told when a document starts waiting for a code. */
export interface SmsRequest {
  /** The origin of the document that called get(). */
  origin: string;
  /** The origin of its top-level document. */
  topOrigin: string;
  /** Aborts when the request ends (code shared, refused, aborted or timed out). */
  signal: AbortSignal;
}

/**
 * A source of SMS messages, called each time a document starts waiting for a code. What it
 * returns (a message, or a promise of one) or yields (an iterable or async iterable) arrives on
 * the phone, for every waiting document to see. Iteration stops when the request ends.
 */
export type SmsSource = (
  request: SmsRequest,
) => string | undefined | void | Promise<string | undefined | void> | Iterable<string> | AsyncIterable<string>;

/** Loopback addresses the HTTP endpoint may listen on. */
export type SmsListenHost = '127.0.0.1' | '::1' | 'localhost';

export interface SmsListenOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default '127.0.0.1'. Only loopback: the endpoint puts messages on the phone unauthenticated. */
  host?: SmsListenHost;
}

export interface SmsOptions {
  /** Called when a document starts waiting for a code; see SmsSource. */
  source?: SmsSource;
  /** Start the HTTP endpoint with the agent (`await agent.sms.listen()` gives its URL). */
  http?: SmsListenOptions;
  /**
   * How long get({otp}) waits for a message before rejecting with InvalidStateError "OTP
   * retrieval timed out.", ms of the agent's clock. Default 5 minutes (the SMS User Consent API's
   * timeout, which Chromium on Android relies on).
   */
  timeoutMs?: number;
}

/** Largest message the HTTP endpoint accepts (a concatenated SMS is far smaller). */
export const MAX_SMS_BYTES = 64 * 1024;

interface Subscriber {
  onMessage(message: string): void;
}

export class SmsInbox {
  readonly timeoutMs: number;
  readonly #subscribers = new Set<Subscriber>();
  readonly #report: (d: DiagnosticInit) => void;
  readonly #source: SmsSource | undefined;
  #listening: Promise<{ server: Server; url: URL }> | undefined;

  /** @internal The agent makes one (`agent.sms`). */
  constructor(report: (d: DiagnosticInit) => void, options: SmsOptions = {}) {
    this.#report = report;
    this.#source = options.source;
    this.timeoutMs = options.timeoutMs ?? 5 * 60 * 1000;
    if (options.http) void this.listen(options.http).catch(() => {});
  }

  /** How many documents are waiting for a code. */
  get waiting(): number {
    return this.#subscribers.size;
  }

  /**
   * An SMS arrives. Every document waiting for a code reads it; those it is not addressed to
   * ignore it (with a diagnostic). Returns how many documents were waiting.
   */
  receive(message: string): number {
    if (typeof message !== 'string') throw new TypeError('An SMS message is a string.');
    const subscribers = [...this.#subscribers];
    for (const s of subscribers) s.onMessage(message);
    return subscribers.length;
  }

  /**
   * Starts (once) an HTTP endpoint on loopback: `POST <url>` with the message as a text/plain
   * body, or `{"message": "…"}` as application/json, puts it on the phone; the answer is 202
   * `{"waiting": n}`. Requests from browsers (with an Origin header) and with a Host other than
   * the endpoint's own (DNS rebinding) are refused. Later calls return the same URL.
   */
  listen(options: SmsListenOptions = {}): Promise<URL> {
    this.#listening ??= this.#startServer(options);
    return this.#listening.then((l) => l.url);
  }

  /** @internal Stops the HTTP endpoint. */
  async close(): Promise<void> {
    const listening = this.#listening;
    this.#listening = undefined;
    if (!listening) return;
    const { server } = await listening.catch(() => ({ server: undefined }));
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * @internal A document starts waiting: `onMessage` sees each message until the returned
   * function is called. The source (if any) is asked for messages now.
   */
  subscribe(request: Omit<SmsRequest, 'signal'>, onMessage: (message: string) => void): () => void {
    const subscriber: Subscriber = { onMessage };
    this.#subscribers.add(subscriber);
    const controller = new AbortController();
    if (this.#source) this.#pull(this.#source, { ...request, signal: controller.signal });
    return () => {
      this.#subscribers.delete(subscriber);
      controller.abort();
    };
  }

  #pull(source: SmsSource, request: SmsRequest): void {
    const fail = (e: unknown): void => {
      if (request.signal.aborted) return;
      this.#report({
        reason: 'SmsSourceFailed',
        level: 'error',
        message: 'The SMS source failed.',
        detail: `The agent's sms.source threw while ${request.origin} waited for a code: ${e instanceof Error ? e.message : String(e)}`,
      });
    };
    const deliver = (m: unknown): void => {
      if (request.signal.aborted) return;
      if (typeof m === 'string') this.receive(m);
      else if (m !== undefined) fail(new TypeError(`the source gave a ${typeof m}, not a string`));
    };
    // Messages arrive after get() has set up its wait: never synchronously inside subscribe().
    void Promise.resolve()
      .then(async () => {
        const result = source(request);
        if (typeof result === 'string' || result === undefined || result === null) return deliver(result ?? undefined);
        if (typeof (result as PromiseLike<unknown>).then === 'function') return deliver(await result);
        const iterable = result as Iterable<string> | AsyncIterable<string>;
        for await (const m of iterable) {
          if (request.signal.aborted) break;
          deliver(m);
        }
      })
      .catch(fail);
  }

  async #startServer(options: SmsListenOptions): Promise<{ server: Server; url: URL }> {
    const host = options.host ?? '127.0.0.1';
    if (!(['127.0.0.1', '::1', 'localhost'] as const).includes(host)) {
      throw new TypeError(`The SMS endpoint listens on loopback only (127.0.0.1, ::1 or localhost), not ${String(host)}.`);
    }
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`Invalid port ${String(port)}.`);
    // The handler needs the URL (for the Host check), known once the port is.
    const endpoint: { url?: URL } = {};
    const server = createServer((req, res) => {
      if (endpoint.url) void this.#handle(req, res, endpoint.url);
      else res.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const hostPart = host === '::1' ? '[::1]' : host;
    const url = new URL(`http://${hostPart}:${address.port}/sms`);
    endpoint.url = url;
    return { server, url };
  }

  async #handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const reply = (status: number, body: object, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
      res.end(JSON.stringify(body));
    };
    // Read the body first, whatever the answer: an unread body left on a kept-alive connection
    // would be taken for the next request.
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        // Too big: drain what the client is sending so it reads the 413; give up on a flood.
        if (size > MAX_SMS_BYTES * 16) return void req.destroy();
        if (size <= MAX_SMS_BYTES) chunks.push(chunk);
      }
    } catch {
      return;
    }
    if (!isLocalhost(req.socket.remoteAddress ?? '')) return reply(403, { error: 'loopback only' });
    // A web page could POST here (a CORS-simple text/plain request): browsers send Origin, and a
    // rebound DNS name arrives with a foreign Host. Neither is a test or a local server.
    if (req.headers.origin !== undefined) return reply(403, { error: 'requests from web pages are refused' });
    if (req.headers.host !== url.host) return reply(403, { error: `Host must be ${url.host}` });
    if (req.method !== 'POST') return reply(405, { error: 'POST a message' }, { allow: 'POST' });
    if (size > MAX_SMS_BYTES) return reply(413, { error: `messages are at most ${MAX_SMS_BYTES} bytes` });
    const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
    let message = text;
    if ((req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return reply(400, { error: 'invalid JSON' });
      }
      const m = typeof parsed === 'object' && parsed !== null ? (parsed as { message?: unknown }).message : undefined;
      if (typeof m !== 'string') return reply(400, { error: 'expected {"message": "<text>"}' });
      message = m;
    }
    reply(202, { waiting: this.receive(message) });
  }
}
