// fetch() for the page, with Headers, Request and Response: jsdom has none. The page's requests
// go through the agent like every other (subresources.ts), with the headers the page may send;
// `Response.json()` parses with the page's JSON, so page code gets objects of its own realm, and
// errors reach the page as its own TypeError (realm.ts).

import { multipart } from './form-encoding.js';
import type { DOMWindow } from '../../base/jsdom.js';
import { pageError } from './realm.js';
import { NULL_BODY, pageHeader, type Subresource } from './subresources.js';

/** Fetch §5.3 "extract a body", for the bodies pages send: text, forms, bytes. */
async function extractBody(body: unknown): Promise<{ text: string; contentType?: string } | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return { text: body, contentType: 'text/plain;charset=UTF-8' };
  const tag = Object.prototype.toString.call(body);
  if (tag === '[object URLSearchParams]') return { text: String(body), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (tag === '[object FormData]') {
    const entries: [string, string][] = [];
    for (const [name, value] of body as Iterable<[string, unknown]>) {
      if (typeof value !== 'string') throw new TypeError('fedkit does not upload files from pages (a FormData entry is a File).');
      entries.push([name, value]);
    }
    return multipart(entries);
  }
  if (tag === '[object Blob]' || tag === '[object File]') {
    const blob = body as Blob;
    return { text: await blob.text(), ...(blob.type ? { contentType: blob.type } : {}) };
  }
  if (ArrayBuffer.isView(body) || tag === '[object ArrayBuffer]') {
    const bytes = ArrayBuffer.isView(body) ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(body as ArrayBuffer);
    return { text: new TextDecoder().decode(bytes) };
  }
  return { text: String(body), contentType: 'text/plain;charset=UTF-8' };
}

/**
 * Defines `fetch`, `Headers`, `Request` and `Response` on the page's window.
 * Fetch §5.6 "fetch()" (§5.1 Headers, §5.4 Request, §5.5 Response): GET and POST, through `subresource`.
 */
export function wireFetch(window: DOMWindow, hooks: { subresource: Subresource }): void {
  // Responses whose json() parses with the page's JSON, so page code gets its own objects.
  const PageJSON = window.JSON as JSON;
  class PageResponse extends Response {
    override async json(): Promise<unknown> {
      return PageJSON.parse(await this.text()) as unknown;
    }
  }
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(window, name, { value, configurable: true, writable: true, enumerable: false });
  };
  define('Headers', Headers);
  define('Request', Request);
  define('Response', PageResponse);

  const pageFetch = (input: unknown, init: Record<string, unknown> = {}): Promise<Response> => {
    const P = window.Promise as PromiseConstructor;
    return new P<Response>((resolve, reject) => {
      const fail = (e: unknown): void => reject(pageError(window, e));
      void (async () => {
        let url: URL;
        let method = 'GET';
        let headers = new Headers();
        let body: { text: string; contentType?: string } | undefined;
        if (input instanceof Request) {
          url = new URL(input.url);
          method = input.method;
          headers = new Headers(input.headers);
          if (method !== 'GET' && method !== 'HEAD') body = { text: await input.text() };
        } else {
          url = new URL(String(input), (window.document as Document).baseURI);
        }
        if (init.method !== undefined) method = String(init.method).toUpperCase();
        if (init.headers !== undefined) headers = new Headers(init.headers as HeadersInit);
        if (init.body !== undefined && init.body !== null) body = await extractBody(init.body);
        if (body?.contentType !== undefined && !headers.has('content-type')) headers.set('content-type', body.contentType);
        const signal = init.signal as AbortSignal | undefined;
        if (signal?.aborted) throw signal.reason;
        const credentials = (init.credentials as 'omit' | 'same-origin' | 'include' | undefined) ?? 'same-origin';
        const sent: Record<string, string> = {};
        headers.forEach((value, name) => {
          if (pageHeader(name)) sent[name] = value;
        });
        let res;
        try {
          res = await hooks.subresource(url, { method, headers: sent, ...(body === undefined ? {} : { body: body.text }), credentials });
        } catch (e) {
          // Fetch: a network error rejects with TypeError "Failed to fetch"; the cause says why.
          throw new TypeError('Failed to fetch', { cause: e });
        }
        if (signal?.aborted) throw signal.reason;
        const response = new PageResponse(NULL_BODY.has(res.status) ? null : res.body, { status: res.status, headers: res.headers });
        Object.defineProperty(response, 'url', { value: url.href });
        return response;
      })().then(resolve, fail);
    });
  };
  define('fetch', pageFetch);
}
