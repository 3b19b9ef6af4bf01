// The fetcher's reader of one exchange, whichever transport carries it (undici's connection pool
// or the in-process one, in-process.ts): it takes the dispatch callbacks (onConnect, onHeaders,
// onData, onComplete, onError, undici's legacy handler interface, as its request() handler does)
// and hands the fetcher a HopResponse, without undici's request() layer in between: no async
// resource, no Node stream for the body, no header object to copy into a Headers. Every request
// paid that layer: through handlers it was a visible share of the CPU profiles, and over TLS it
// was most of what the fetcher cost beyond undici alone (callgrind, issue 15 §3).
//
// What undici's RequestHandler and BodyReadable do that a transport or a handler can see is done
// the same here:
//   - the caller's signal aborts the exchange: before the response head with the signal's reason
//     (or a RequestAbortedError), after it by ending the body, as destroying the body stream does
//     (the exchange is then aborted without a reason, and a read fails with the signal's reason);
//   - the head is a Headers (WireHeaders: read from the raw list until something needs it filled)
//     of the raw name/value bytes as undici's parseHeaders reads them (latin1), every value in
//     order, Set-Cookie lines apart;
//   - backpressure: with no reader yet, at most 64 KiB (BodyReadable's highWaterMark) is taken
//     before onData answers false, and reading resumes the exchange;
//   - abandoning the body before its end aborts the exchange (BodyReadable._destroy); reading it
//     away (a redirect's) stops past 64 KiB (BodyReadable.dump with the fetcher's limit).

import { errors } from 'undici';
import type { AbortLike } from '../base/abort-state.js';
import { WireHeaders } from './wire-headers.js';
import { declaredLength, declaredTooLarge, DISCARD_LIMIT, gather, receivedTooLarge, type HopBody, type HopResponse } from './hop-response.js';

/** The signal an exchange follows: the fetcher's FetchSignal (fetch-signal.ts). */
export type ExchangeSignal = AbortLike;

/** BodyReadable's default highWaterMark (undici lib/api/readable.js). */
const HIGH_WATER_MARK = 64 * 1024;

type Reader =
  | { kind: 'read'; cap: number; url: URL; resolve: (bytes: Uint8Array) => void; reject: (error: unknown) => void }
  | { kind: 'discard'; resolve: () => void };

export class DispatchResponse implements HopBody {
  /** Settles with the head (and this as its body), or with the exchange's failure before it. */
  readonly head: Promise<HopResponse>;
  #resolveHead!: (head: HopResponse) => void;
  #rejectHead!: (error: unknown) => void;
  #headers: Headers | undefined;
  /** The head's Content-Length, when it is a number. */
  #declared: { text: string; bytes: number } | undefined;
  #abort: ((reason?: Error) => void) | undefined;
  /** The signal's reason once it aborted. */
  #reason: unknown;
  readonly #signal: ExchangeSignal | undefined;
  readonly #onAbort = (): void => this.#aborted();
  #chunks: Buffer[] = [];
  /** A chunk the transport made for this response alone (onOwnedData): handed on without a copy. */
  #owned: Uint8Array | undefined;
  #received = 0;
  #complete = false;
  /** Read (or read away) by the fetcher: from then on the signal no longer reaches this body. */
  #consumed = false;
  /** Ended without its body: failed, aborted or dropped (the error a read then fails with). */
  #ended: { error: unknown } | undefined;
  #resume: (() => void) | undefined;
  #paused = false;
  #reader: Reader | undefined;

  constructor(signal: ExchangeSignal | undefined) {
    this.head = new Promise<HopResponse>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    if (signal?.aborted === true) {
      this.#reason = signal.reason ?? new errors.RequestAbortedError();
    } else if (signal !== undefined) {
      this.#signal = signal;
      signal.addEventListener('abort', this.#onAbort);
    }
  }

  #aborted(): void {
    this.#reason = this.#signal?.reason ?? new errors.RequestAbortedError();
    if (this.#headers === undefined) {
      // As RequestHandler: the reason handed on as it is, whatever it is.
      this.#abort?.(this.#reason as Error);
      return;
    }
    // After the head: as the body stream destroyed with the reason.
    this.#end(this.#reason);
  }

  #unfollow(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  // The exchange's side (in-process.ts #exchange).

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#reason !== undefined) {
      abort(this.#reason as Error);
      return;
    }
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, _statusText: string): boolean {
    return this.onHead(statusCode, rawHeaders.map((bytes) => bytes.toString('latin1')), resume);
  }

  /** onHeaders with the raw list already decoded (latin1, as undici's parseHeaders decodes it): what the exchange hands this reader. */
  onHead(statusCode: number, rawHeaders: readonly string[], resume: () => void): boolean {
    // An informational status is no response (RequestHandler skips it); the transport sends none.
    if (statusCode < 200) return true;
    // Read from the list until someone needs a filled Headers (wire-headers.ts).
    const headers = new WireHeaders(rawHeaders);
    this.#headers = headers;
    this.#declared = declaredLength(headers);
    this.#resume = resume;
    this.#resolveHead({ statusCode, headers, body: this });
    return true;
  }

  /**
   * onData for bytes the transport made for this one response and keeps no reference to (the
   * in-process transport's encoding of a reply's text): when they are the whole body, the
   * fetcher gets them as they are instead of a copy (gather), the one allocation a body needs.
   */
  onOwnedData(chunk: Uint8Array): boolean {
    if (this.#chunks.length === 0) this.#owned = chunk;
    return this.onData(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }

  onData(chunk: Buffer): boolean {
    if (this.#ended !== undefined) return false;
    this.#chunks.push(chunk);
    this.#received += chunk.byteLength;
    const reader = this.#reader;
    if (reader?.kind === 'read' && this.#received > reader.cap && this.#declared === undefined) {
      this.#reader = undefined;
      this.drop();
      reader.reject(receivedTooLarge(reader.url, reader.cap));
      return false;
    }
    if (reader?.kind === 'discard' && this.#received > DISCARD_LIMIT) {
      this.#reader = undefined;
      this.drop();
      reader.resolve();
      return false;
    }
    if (reader === undefined && this.#received >= HIGH_WATER_MARK) {
      this.#paused = true;
      return false;
    }
    return true;
  }

  onComplete(_trailers: unknown): void {
    if (this.#ended !== undefined) return;
    this.#complete = true;
    // The signal is followed until the fetcher has the body (BodyReadable stops at 'close').
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader?.kind === 'read') this.#deliver(reader);
    else if (reader !== undefined) this.#done(reader);
  }

  onError(error: Error): void {
    if (this.#headers === undefined) {
      this.#unfollow();
      this.#rejectHead(error);
      return;
    }
    this.#end(error);
  }

  /** The body ends without being complete: a waiting read fails with `error`, and so does any later one. */
  #end(error: unknown): void {
    if (this.#ended !== undefined || this.#consumed) return;
    this.#ended = { error };
    this.#chunks = [];
    this.#unfollow();
    // As BodyReadable._destroy: the exchange is aborted (it does nothing once it has finished).
    this.#abort?.();
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader?.kind === 'read') reader.reject(error);
    else reader?.resolve();
  }

  /** A discard() is over. */
  #done(reader: Extract<Reader, { kind: 'discard' }>): void {
    this.#consumed = true;
    this.#unfollow();
    reader.resolve();
  }

  #deliver(reader: Extract<Reader, { kind: 'read' }>): void {
    let bytes;
    try {
      bytes = this.#take(reader.cap, reader.url);
    } catch (error) {
      reader.reject(error);
      return;
    }
    reader.resolve(bytes);
  }

  /** The complete body, handed over: the fetcher has it, the signal no longer reaches it. */
  #take(cap: number, url: URL): Uint8Array {
    this.#consumed = true;
    this.#unfollow();
    if (this.#declared === undefined && this.#received > cap) throw receivedTooLarge(url, cap);
    const chunks = this.#chunks;
    const owned = this.#owned;
    return owned !== undefined && chunks.length === 1 && chunks[0]!.byteLength === owned.byteLength ? owned : gather(chunks, this.#received);
  }

  #startReading(reader: Reader): void {
    this.#reader = reader;
    if (this.#paused) {
      this.#paused = false;
      this.#resume?.();
    }
  }

  // The fetcher's side (HopBody).

  read(cap: number, url: URL): Promise<Uint8Array> {
    if (this.#ended !== undefined) return Promise.reject(this.#ended.error);
    const declared = this.#declared;
    if (declared !== undefined && declared.bytes > cap) {
      this.drop();
      return Promise.reject(declaredTooLarge(url, declared.text, cap));
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      const reader: Reader = { kind: 'read', cap, url, resolve, reject };
      if (this.#complete) {
        this.#deliver(reader);
        return;
      }
      if (declared === undefined && this.#received > cap) {
        this.drop();
        reject(receivedTooLarge(url, cap));
        return;
      }
      this.#startReading(reader);
    });
  }

  readNow(cap: number, url: URL): Uint8Array | undefined {
    if (!this.#complete || this.#ended !== undefined) return undefined;
    const declared = this.#declared;
    if (declared !== undefined && declared.bytes > cap) return undefined;
    return this.#take(cap, url);
  }

  discard(): Promise<void> {
    if (this.#ended !== undefined) return Promise.resolve();
    if (this.#complete) {
      this.#consumed = true;
      this.#unfollow();
      return Promise.resolve();
    }
    const declared = this.#declared;
    if ((declared !== undefined && declared.bytes > DISCARD_LIMIT) || this.#received > DISCARD_LIMIT) {
      this.drop();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.#startReading({ kind: 'discard', resolve }));
  }

  drop(): void {
    this.#end(new errors.RequestAbortedError());
  }
}
