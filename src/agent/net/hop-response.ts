// One hop's response as the fetcher reads it, whichever transport carried it: the status, the
// headers as a Fetch Headers, and a body it reads under a size cap, reads away (a redirect's) or
// abandons. Over TCP/TLS that is undici's request() answer (below); in-process, the exchange's
// own reader (in-process-response.ts), which skips undici's request() layer (its async resource,
// its Node stream of the body, its header object) that a sign-in through handlers otherwise pays
// on each of its four requests.

import type { Dispatcher } from 'undici';
import { NetError } from './types.js';

export interface HopResponse {
  statusCode: number;
  /** The response headers, repeated ones (Set-Cookie) kept apart. */
  headers: Headers;
  body: HopBody;
}

export interface HopBody {
  /**
   * The whole body, at most `cap` bytes: a NetError 'body-too-large' at once when Content-Length
   * is over the cap, and otherwise as soon as the bytes received pass it (the rest is not read).
   * Fresh memory (not a slice of Node's shared pool).
   */
  read(cap: number, url: URL): Promise<Uint8Array>;
  /** Reads the body away, bounded (a redirect's); never rejects. */
  discard(): Promise<void>;
  /** Abandons the body; never throws. */
  drop(): void;
}

/** What a Content-Length header says, when it is a number (RFC 9110 §8.6: digits only). */
export function declaredLength(headers: Headers): { text: string; bytes: number } | undefined {
  const text = headers.get('content-length');
  return text !== null && /^\d+$/.test(text) ? { text, bytes: Number(text) } : undefined;
}

/** The limit to `discard()`: a redirect body longer than this is abandoned instead. */
export const DISCARD_LIMIT = 64 * 1024;

export function declaredTooLarge(url: URL, declared: string, cap: number): NetError {
  return new NetError('body-too-large', url, `the response from ${url.href} declares ${declared} bytes (Content-Length), over the limit of ${cap} bytes`);
}

export function receivedTooLarge(url: URL, cap: number): NetError {
  return new NetError('body-too-large', url, `the response from ${url.href} is larger than the limit of ${cap} bytes`);
}

/** undici's request() answer as a HopResponse. */
export function undiciResponse(response: Dispatcher.ResponseData): HopResponse {
  const headers = toHeaders(response.headers);
  return { statusCode: response.statusCode, headers, body: new UndiciBody(response.body, headers) };
}

/** undici's header object to a Fetch Headers, keeping repeated headers (Set-Cookie) apart. */
function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.append(name, value);
  }
  return headers;
}

class UndiciBody implements HopBody {
  constructor(
    private readonly body: Dispatcher.ResponseData['body'],
    private readonly headers: Headers,
  ) {}

  /**
   * Abandons a response body. undici's BodyReadable emits an 'error' (RequestAbortedError) when
   * destroyed before its end; nobody else listens, so swallow it here rather than crash.
   */
  drop(): void {
    this.body.on('error', () => {});
    this.body.destroy();
  }

  /** Reads a redirect's body away (bounded), so the connection can be reused. */
  async discard(): Promise<void> {
    try {
      await this.body.dump({ limit: DISCARD_LIMIT });
    } catch {
      // A broken redirect body does not matter; the next hop uses a fresh or pooled connection.
    }
  }

  /**
   * Reads the body with a hard cap: rejects at once when Content-Length is over the cap, and
   * otherwise stops and destroys the stream as soon as the bytes read exceed it (chunked bodies).
   */
  async read(cap: number, url: URL): Promise<Uint8Array> {
    const body = this.body;
    const declared = declaredLength(this.headers);
    if (declared !== undefined && declared.bytes > cap) {
      this.drop();
      throw declaredTooLarge(url, declared.text, cap);
    }
    if (declared !== undefined) {
      // RFC 9112 §6.3: with a Content-Length, the body is exactly that long (undici fails the
      // response otherwise), and it is within the cap: read it in one go, without a per-chunk
      // async iteration. arrayBuffer() gathers the chunks into new memory, not Node's pool.
      return new Uint8Array(await body.arrayBuffer());
    }
    // Chunked (or close-delimited) bodies: counted as they come, through 'data' events rather
    // than an async iterator (a promise and a tick per chunk, on every response).
    const chunks: Buffer[] = [];
    const total = await new Promise<number>((resolve, reject) => {
      let count = 0;
      body.on('data', (chunk: Buffer) => {
        count += chunk.length;
        if (count > cap) {
          this.drop();
          reject(receivedTooLarge(url, cap));
          return;
        }
        chunks.push(chunk);
      });
      body.once('end', () => resolve(count));
      body.once('error', reject);
    });
    return gather(chunks, total);
  }
}

/** The chunks in one fresh array: Buffer.concat may hand back a slice of Node's shared allocation pool. */
export function gather(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
