// A request body a framework's parser already read (Express's `express.urlencoded()`, `json()`,
// `text()`, `raw()`; anything that leaves `req.body` behind): the stream is spent, so the bytes a
// web-standard handler reads are rebuilt from what the parser kept. Shared by toNodeListener
// and the framework adapters, so a handler mounted after a parser sees the body it was sent.

import type { IncomingMessage } from 'node:http';

/**
 * The body was read before the handler got the request, and what was left of it cannot be
 * turned back into bytes (nothing was kept, or an object no known encoding describes). A
 * fault of the server's middleware order, never of the client: the message says what to change.
 */
export class BodyAlreadyReadError extends Error {
  override readonly name = 'BodyAlreadyReadError';
}

/** Whether someone consumed the request's stream (the check body-parser itself makes, on the stream's own state). */
export function bodyWasRead(req: IncomingMessage): boolean {
  return req.readableEnded || req.readableDidRead;
}

/**
 * The body bytes of a request whose stream was already read, rebuilt from `req.body`; undefined
 * when the stream is unread (read it). Throws BodyAlreadyReadError when it cannot be rebuilt.
 */
export function preReadBody(req: IncomingMessage): Uint8Array | undefined {
  if (!bodyWasRead(req)) return undefined;
  const body = (req as IncomingMessage & { body?: unknown }).body;
  if (body === undefined) {
    throw new BodyAlreadyReadError(
      `The ${req.method ?? ''} body was read by an earlier middleware, which left no req.body behind; mount fedkit before that middleware, or use a parser that keeps what it read (express.urlencoded(), express.raw()).`,
    );
  }
  return encodeParsedBody(body, req.headers['content-type']);
}

/**
 * `body` as bytes again: a Buffer or Uint8Array as it is (express.raw()), a string as UTF-8
 * (express.text()), an object as the media type its Content-Type names: `application/json` with
 * JSON.stringify, `application/x-www-form-urlencoded` with the URL-encoded serializer (URL
 * §5.2). The form is faithful for the flat object Express parses by default (`extended: false`:
 * string and string[] values, a repeated name becomes the name repeated) and, for `extended:
 * true` (qs), for every name without brackets; qs's `a[b]=c` is written back as `a[b]=c`, and
 * its one-element array (which only `a[]=x` makes) as `a[]=x`, so no bracketed name turns into the
 * single plain parameter the handler would take for one it was sent (a longer array is written
 * as the plain name repeated, which a handler that wants the name once refuses anyway).
 */
export function encodeParsedBody(body: unknown, contentType: string | undefined): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (typeof body === 'object' && body !== null) {
    if (type === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams();
      for (const [name, value] of Object.entries(body)) appendField(form, name, value);
      return Buffer.from(form.toString(), 'utf8');
    }
    if (type === 'application/json' || type.endsWith('+json')) return Buffer.from(JSON.stringify(body), 'utf8');
  }
  throw new BodyAlreadyReadError(
    `The body (${type === '' ? 'no Content-Type' : type}) was parsed by an earlier middleware into ${body === null ? 'null' : typeof body}, which cannot be turned back into the bytes sent; mount fedkit before that parser.`,
  );
}

/** One name of a parsed form (qs's shapes included), appended as the pairs that parse to it. */
function appendField(form: URLSearchParams, name: string, value: unknown): void {
  if (Array.isArray(value)) {
    if (value.length === 1) appendField(form, `${name}[]`, value[0]);
    else for (const item of value) appendField(form, name, item);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) appendField(form, `${name}[${key}]`, inner);
  } else {
    form.append(name, value === undefined || value === null ? '' : String(value));
  }
}
