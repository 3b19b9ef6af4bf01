// One raw request over TLS, byte for byte as given (undici and node:http would refuse or fix
// much of what the fuzzer sends), and its answer read back by a small HTTP/1.1 response parser.
// Every exchange is bounded: it ends with an answer, a closed connection or a timeout.

import tls from 'node:tls';

/** Where the server listens and how to trust it. */
export interface Endpoint {
  port: number;
  /** The CA certificate (PEM) the server's certificate chains to. */
  ca: string;
  /** SNI, and the name the certificate is checked against. */
  servername: string;
}

export interface WireResponse {
  status: number;
  reason: string;
  /** In order, names lower-cased. */
  headers: [string, string][];
  body: Buffer;
}

export type WireResult =
  | { kind: 'response'; response: WireResponse; ms: number }
  /** The server closed the connection before a whole answer arrived. */
  | { kind: 'closed'; received: Buffer; ms: number }
  | { kind: 'timeout'; received: Buffer; ms: number }
  /** The connection failed (TLS, reset) before a whole answer arrived. */
  | { kind: 'error'; message: string; received: Buffer; ms: number };

export interface SendOptions {
  /** The whole exchange's bound, ms. */
  timeoutMs: number;
  /** The request is a HEAD: the answer has no body whatever its headers say. */
  head?: boolean;
  /**
   * The request's body is shorter than it says: if no answer came `graceMs` after sending, the
   * client ends its side (a client that gives up), after which the server must close or answer.
   */
  partialGraceMs?: number;
}

export function header(response: WireResponse, name: string): string | undefined {
  return response.headers.find(([n]) => n === name)?.[1];
}

type Parse = { done: true; response: WireResponse } | { done: false; untilClose?: { status: number; reason: string; headers: [string, string][]; bodyStart: number } };

const CRLF2 = Buffer.from('\r\n\r\n');

/** Reads one final answer (skipping 1xx interim ones) from the bytes received so far. */
export function parseResponse(buf: Buffer, head: boolean): Parse {
  let offset = 0;
  for (;;) {
    const end = buf.indexOf(CRLF2, offset);
    if (end === -1) return { done: false };
    const lines = buf.subarray(offset, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(lines[0]!);
    if (m === null) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0]!.slice(0, 120))}`);
    const status = Number(m[1]);
    const reason = m[2] ?? '';
    const headers: [string, string][] = lines.slice(1).map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    });
    const bodyStart = end + 4;
    if (status >= 100 && status < 200 && status !== 101) {
      offset = bodyStart;
      continue;
    }
    const get = (name: string) => headers.find(([n]) => n === name)?.[1];
    if (head || status === 101 || status === 204 || status === 304) return { done: true, response: { status, reason, headers, body: Buffer.alloc(0) } };
    if ((get('transfer-encoding') ?? '').toLowerCase().includes('chunked')) {
      const chunks: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', at);
        if (lineEnd === -1) return { done: false };
        const size = parseInt(buf.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
        if (!Number.isFinite(size)) throw new Error('malformed chunked answer');
        if (size === 0) {
          if (buf.indexOf('\r\n', lineEnd + 2) === -1) return { done: false };
          return { done: true, response: { status, reason, headers, body: Buffer.concat(chunks) } };
        }
        if (buf.length < lineEnd + 2 + size + 2) return { done: false };
        chunks.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
    }
    const length = get('content-length');
    if (length !== undefined) {
      const n = Number(length);
      if (buf.length - bodyStart < n) return { done: false };
      return { done: true, response: { status, reason, headers, body: buf.subarray(bodyStart, bodyStart + n) } };
    }
    return { done: false, untilClose: { status, reason, headers, bodyStart } };
  }
}

const contexts = new Map<string, tls.SecureContext>();
const sessions = new Map<string, Buffer>();

/**
 * Sends `bytes` on a fresh TLS connection and reads the answer. Never rejects. The TLS session
 * of an earlier connection is resumed (a full handshake per request would cost more than the
 * request); the certificate was checked on the first.
 */
export function sendRaw(endpoint: Endpoint, bytes: Buffer, options: SendOptions): Promise<WireResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    let secureContext = contexts.get(endpoint.ca);
    if (secureContext === undefined) contexts.set(endpoint.ca, (secureContext = tls.createSecureContext({ ca: endpoint.ca })));
    const key = `${endpoint.port} ${endpoint.servername}`;
    const session = sessions.get(key);
    const socket = tls.connect({ host: '127.0.0.1', port: endpoint.port, servername: endpoint.servername, secureContext, ...(session === undefined ? {} : { session }) });
    socket.on('session', (s: Buffer) => sessions.set(key, s));
    const finish = (result: WireResult) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      socket.destroy();
      resolve(result);
    };
    /** An answer is complete, or the bytes are not HTTP at all (itself a finding). */
    const check = (closed: boolean): boolean => {
      let parsed: Parse;
      try {
        parsed = parseResponse(received, options.head === true);
      } catch (e) {
        finish({ kind: 'error', message: (e as Error).message, received, ms: ms() });
        return true;
      }
      if (parsed.done) {
        finish({ kind: 'response', response: parsed.response, ms: ms() });
        return true;
      }
      if (closed && parsed.untilClose !== undefined) {
        const u = parsed.untilClose;
        finish({ kind: 'response', response: { status: u.status, reason: u.reason, headers: u.headers, body: received.subarray(u.bodyStart) }, ms: ms() });
        return true;
      }
      return false;
    };
    timers.push(setTimeout(() => finish({ kind: 'timeout', received, ms: ms() }), options.timeoutMs));
    socket.on('secureConnect', () => {
      socket.write(bytes, () => {
        if (options.partialGraceMs !== undefined) timers.push(setTimeout(() => socket.end(), options.partialGraceMs));
      });
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      check(false);
    });
    socket.on('end', () => {
      if (!check(true)) finish({ kind: 'closed', received, ms: ms() });
    });
    socket.on('close', () => {
      if (!check(true)) finish({ kind: 'closed', received, ms: ms() });
    });
    socket.on('error', (e) => {
      if (!check(true)) finish({ kind: 'error', message: e.message, received, ms: ms() });
    });
  });
}
