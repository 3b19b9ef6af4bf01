// The few HTML pages the IdP serves (login, logout, consent). Each gets a strict CSP whose
// script nonce admits only our own inline script.

import { randomToken } from './context.js';
import { escapeHtml, IdpReply, type IdpRequest } from './http.js';

export interface PageOptions {
  title: string;
  /** Trusted HTML (callers escape every value they interpolate). */
  body: string;
  /** Inline script source (trusted). */
  script?: string;
  status?: number;
  headers?: Record<string, string | string[]>;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem;min-width:8rem;min-height:2.5rem}.error{color:#b00020}`;

export function page(options: PageOptions): IdpReply {
  const nonce = randomToken(16);
  const headers = new IdpReply(null, 0);
  headers.set('content-type', 'text/html; charset=utf-8');
  headers.set('cache-control', 'no-store');
  headers.set(
    'content-security-policy',
    `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; script-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  );
  headers.set('x-content-type-options', 'nosniff');
  // same-origin, not no-referrer: with no-referrer the page's own form POSTs carry `Origin: null`.
  headers.set('referrer-policy', 'same-origin');
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.title)}</title>`,
    `<style>${STYLE}</style>`,
    options.body,
    options.script === undefined ? '' : `<script nonce="${nonce}">${options.script}</script>`,
    '',
  ].join('\n');
  const reply = new IdpReply(html, options.status ?? 200);
  for (const [name, value] of headers.headers) reply.set(name, value);
  for (const cookie of headers.setCookies) reply.append('set-cookie', cookie);
  return reply;
}

/** True when the client asked for HTML (a browser form), false for API-style callers. */
export function wantsHtml(request: IdpRequest): boolean {
  return (request.headers.get('accept') ?? '').includes('text/html');
}
