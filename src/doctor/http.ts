// Raw HTTP for the probes that must send what a browser never would (no Sec-Fetch-Dest, another
// Origin, a nonce used twice) or must see what the agent hides (redirects, sizes, CORS headers):
// undici's request() through the same host rules and trust as the agent, every header the
// doctor's own, every body bounded, every request recorded.

import { request as undiciRequest, type Dispatcher } from 'undici';
import { createDispatcher } from '../common/dispatcher.js';
import type { HostRulesInput } from '../common/host-rules.js';
import type { DoctorRequest } from './finding.js';

/** What a raw request answered. */
export interface RawResponse {
  status: number;
  headers: Headers;
  /** The body as text, at most `maxBytes` (see `truncated`). */
  body: string;
  /** The body's size in bytes (when read to the end), or at least `maxBytes + 1`. */
  size: number;
  truncated: boolean;
}

export interface RawInit {
  method?: 'GET' | 'POST' | 'OPTIONS';
  headers?: Record<string, string>;
  body?: string;
  /** Read at most this many bytes of the body (default 2 MiB). */
  maxBytes?: number;
}

export interface RawClient {
  /** Sends one request (redirects are not followed); a network failure rejects with its message. */
  fetch(probe: string, url: string | URL, init?: RawInit): Promise<RawResponse>;
  close(): Promise<void>;
}

export function rawClient(options: { hostRules?: HostRulesInput; ca?: string | string[]; insecureTLS?: boolean; timeoutMs: number }, record: (r: DoctorRequest) => void): RawClient {
  const dispatcher: Dispatcher = createDispatcher({
    ...(options.hostRules === undefined ? {} : { hostRules: options.hostRules }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.insecureTLS === undefined ? {} : { insecureTLS: options.insecureTLS }),
    timeoutMs: options.timeoutMs,
  });
  return {
    async fetch(probe, url, init = {}) {
      const href = typeof url === 'string' ? url : url.href;
      const method = init.method ?? 'GET';
      const maxBytes = init.maxBytes ?? 2 * 1024 * 1024;
      const started = performance.now();
      try {
        const res = await undiciRequest(href, {
          method,
          headers: init.headers ?? {},
          ...(init.body === undefined ? {} : { body: init.body }),
          dispatcher,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        for await (const chunk of res.body) {
          const b = chunk as Buffer;
          size += b.byteLength;
          if (size > maxBytes) {
            truncated = true;
            res.body.destroy();
            break;
          }
          chunks.push(b);
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
        }
        record({ probe, method, url: href, status: res.statusCode, durationMs: performance.now() - started, requestHeaders: init.headers ?? {} });
        return { status: res.statusCode, headers, body: Buffer.concat(chunks).toString('utf8'), size, truncated };
      } catch (e) {
        const message = e instanceof Error ? (e.cause instanceof Error ? `${e.message} (${e.cause.message})` : e.message) : String(e);
        record({ probe, method, url: href, error: message, durationMs: performance.now() - started, requestHeaders: init.headers ?? {} });
        throw new Error(message, { cause: e });
      }
    },
    close: () => dispatcher.close(),
  };
}
