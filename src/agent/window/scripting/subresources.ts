// The page's requests. Every one (scripts, module scripts and their imports, stylesheets, XHR,
// fetch()) goes through `frame.fetch`: the agent's host rules, CA trust, cookie jar and Set-Login
// handling. jsdom's resource loader only hands them over, through the request interceptor here,
// which also keeps out what the page may not send (forbidden headers) or should not run (iframes).

import type * as Jsdom from 'jsdom';
import type { Frame } from '../frame.js';
import type { Report, RunScriptsOptions } from './types.js';

/** Request headers a page must not set (Fetch §2.2.2 forbidden request-headers), plus jsdom's own defaults. */
const DROPPED_HEADERS = new Set([
  'accept-charset', 'accept-encoding', 'access-control-request-headers', 'access-control-request-method', 'connection',
  'content-length', 'cookie', 'cookie2', 'date', 'dnt', 'expect', 'host', 'keep-alive', 'origin', 'referer', 'set-cookie',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'via',
  // Set by jsdom on every request; the agent sends its own.
  'user-agent', 'accept-language',
]);

/** Whether the page may send header `name` (Fetch §2.2.2 "forbidden request-header", by name). */
export const pageHeader = (name: string): boolean => !DROPPED_HEADERS.has(name) && !name.startsWith('proxy-') && !name.startsWith('sec-');

/** Statuses whose responses have no body (Fetch §2.2.3 "null body status"). */
export const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export interface SubresourceInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  credentials: 'omit' | 'same-origin' | 'include';
}

export interface SubresourceResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** A request for the page, through the agent, recorded. */
export type Subresource = (url: URL, init: SubresourceInit) => Promise<SubresourceResponse>;

/**
 * The page's request function: each request goes through `frame.fetch`, counts in
 * `counter.inflight` while it runs, and is recorded with `options.onFetch` when it ends; a failed
 * one is also reported.
 */
export function pageSubresources(
  frame: Frame,
  counter: { inflight: number },
  options: Pick<RunScriptsOptions, 'onFetch'>,
  hooks: { report: Report; label: string },
): Subresource {
  const { report, label } = hooks;
  return async function subresource(url, init) {
    const started = performance.now();
    counter.inflight++;
    try {
      if (init.method !== 'GET' && init.method !== 'POST') {
        throw new TypeError(`fedkit runs page requests with GET and POST only (got ${init.method}).`);
      }
      const res = await frame.fetch(url, {
        method: init.method,
        headers: init.headers,
        ...(init.body === undefined ? {} : { body: init.body }),
        credentials: init.credentials,
      });
      options.onFetch?.({ endpoint: 'subresource', method: init.method, url: url.href, status: res.status, durationMs: performance.now() - started });
      return res;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      options.onFetch?.({ endpoint: 'subresource', method: init.method, url: url.href, durationMs: performance.now() - started, error: message });
      report('warning', `A request of the ${label} failed.`, `${init.method} ${url.href}: ${message}`);
      throw e;
    } finally {
      counter.inflight--;
    }
  };
}

/**
 * jsdom's request interceptor for the page (its scripts, stylesheets, XHR): the boot scripts of
 * module scripts are answered by `bootScript`, iframes get an empty document, and everything else
 * goes through `subresource` with the page's own headers only.
 */
export function interceptRequests(hooks: {
  /** The response for a module script's boot URL (module-scripts.ts); undefined for any other URL. */
  bootScript: (url: string) => Promise<Response> | undefined;
  subresource: Subresource;
  report: Report;
  label: string;
}): (request: Request, context: Jsdom.RequestInterceptorContext) => Promise<Response> {
  const { subresource, report, label } = hooks;
  return async (request, { element }) => {
    const url = new URL(request.url);
    const boot = hooks.bootScript(request.url);
    if (boot !== undefined) return boot;
    const tag = element?.localName;
    if (tag === 'iframe' || tag === 'frame') {
      // A nested document would run without the agent's APIs and origin checks: not run.
      report('info', `The ${label} has an iframe that fedkit does not run.`, `${url.href} (open it with frame.openFrame() to use it).`);
      return new Response('<!doctype html><title></title>', { headers: { 'content-type': 'text/html' } });
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) if (pageHeader(name)) headers[name] = value;
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text();
    // A rejection becomes the element's error event, or the XHR's error.
    const res = await subresource(url, {
      method: request.method,
      headers,
      ...(body === undefined ? {} : { body }),
      // Elements load no-cors with credentials; XHR without withCredentials sends them same-origin only.
      credentials: element ? 'include' : 'same-origin',
    });
    const out = new Headers(res.headers);
    out.delete('set-cookie'); // the agent's jar has them; jsdom's own jar is not used
    return new Response(NULL_BODY.has(res.status) ? null : res.body, { status: res.status, headers: out });
  };
}
