// One hop's response as the fetcher reads it, whichever transport carried it: the status, the
// headers as a Fetch Headers, and a body it reads under a size cap, reads away (a redirect's) or
// abandons. Both transports (undici's connection pool and the in-process one) answer through the
// same reader of dispatch callbacks (dispatch-response.ts), which skips undici's request() layer
// (its async resource, its Node stream of the body, its header object) that every request paid.

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
  /**
   * read() without a promise when the whole body is already here: the bytes, or undefined when
   * it is not complete yet (then call read()). Throws what read() would reject with.
   */
  readNow(cap: number, url: URL): Uint8Array | undefined;
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
