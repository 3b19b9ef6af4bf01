// The hostile behaviours, each a small function over node:http's request and response, so a
// case can do what no well-meaning framework would: lie about lengths, never finish, reset the
// socket mid-body, drip one byte at a time. Every timer is registered with the server, which
// clears it when the response closes (the agent gave up) or the server stops.

import type { ServerResponse } from 'node:http';
import type { Behaviour } from './server.js';

/** `status` with a small body of `contentType`. */
export function status(code: number, body = '', contentType = 'text/plain'): Behaviour {
  return (_req, res) => {
    const bytes = Buffer.from(body);
    res.writeHead(code, { 'content-type': contentType, 'content-length': String(bytes.length) });
    res.end(bytes);
  };
}

/** Exactly these bytes, with this Content-Type (none when null), status 200 unless given. */
export function bytes(body: Buffer | string, contentType: string | null, options: { status?: number; cors?: boolean } = {}): Behaviour {
  return (req, res) => {
    const b = typeof body === 'string' ? Buffer.from(body) : body;
    const headers: Record<string, string> = { 'content-length': String(b.length) };
    if (contentType !== null) headers['content-type'] = contentType;
    if (options.cors === true) {
      headers['access-control-allow-origin'] = req.headers.origin ?? 'null';
      headers['access-control-allow-credentials'] = 'true';
    }
    res.writeHead(options.status ?? 200, headers);
    res.end(b);
  };
}

/** A JSON value (serialized here, so a case can also pass raw text with `bytes`). */
export function json(value: unknown, options: { status?: number; cors?: boolean; contentType?: string } = {}): Behaviour {
  return bytes(JSON.stringify(value), options.contentType ?? 'application/json', options);
}

/** Writes `chunk` for as long as the client reads, honouring backpressure, up to `total` bytes (or forever). */
function stream(res: ServerResponse, chunk: Buffer, total: number): void {
  let sent = 0;
  const pump = (): void => {
    while (!res.destroyed && sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed && sent >= total) res.end();
  };
  pump();
}

/** A size bomb: `size` bytes of JSON-looking whitespace, declared in Content-Length or sent chunked. */
export function bomb(size: number, options: { declare: boolean; contentType?: string }): Behaviour {
  return (_req, res) => {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
    if (options.declare) headers['content-length'] = String(size);
    res.writeHead(200, headers);
    stream(res, Buffer.alloc(64 * 1024, 0x20), size);
  };
}

/** A body that never ends, as fast as the client reads it. */
export function endless(contentType = 'application/json'): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.write('{"accounts":[');
    stream(res, Buffer.alloc(16 * 1024, 0x20), Number.POSITIVE_INFINITY);
  };
}

/** A slow drip: one byte every `everyMs`, forever. */
export function drip(everyMs: number, contentType = 'application/json'): Behaviour {
  return (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': contentType });
    res.write('{');
    const tick = (): void => {
      if (res.destroyed) return;
      res.write(' ');
      ctx.timer(setTimeout(tick, everyMs));
    };
    ctx.timer(setTimeout(tick, everyMs));
  };
}

/** Status line and headers, then silence. */
export function headersThenSilence(contentType = 'application/json'): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': '100' });
    res.flushHeaders();
  };
}

/** Reads the request and never answers at all. */
export function silence(): Behaviour {
  return () => {};
}

/** Headers and the first half of the good body, then the socket is destroyed (a reset). */
export function resetMidBody(): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"accounts":[{"id":"1234",');
    // Let the bytes leave before the reset, so the agent is mid-body, not mid-headers.
    setImmediate(() => res.socket?.destroy());
  };
}

/** The connection is dropped as soon as the request arrives: no status line at all. */
export function resetBeforeHeaders(): Behaviour {
  return (_req, res) => {
    res.socket?.destroy();
  };
}

/** A redirect to `location` (relative to the request). */
export function redirect(code: number, location: string): Behaviour {
  return (_req, res) => {
    res.writeHead(code, { location, 'content-length': '0' });
    res.end();
  };
}

/** A redirect to the request's own URL: a loop no redirect limit will break for the IdP. */
export function redirectLoop(code = 302): Behaviour {
  return (req, res) => {
    res.writeHead(code, { location: req.url ?? '/', 'content-length': '0' });
    res.end();
  };
}

/** JSON nested `depth` levels deep under `key` (`{"accounts":[[[[…]]]]}`). */
export function deeplyNested(depth: number, key = 'accounts'): Behaviour {
  return bytes(`{"${key}":${'['.repeat(depth)}${']'.repeat(depth)}}`, 'application/json', { cors: true });
}
