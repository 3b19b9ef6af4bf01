// A lean HTTP/1.1 load generator on node:net, for rows where autocannon itself may be the bound
// (issue 15: hello world at tens of thousands of requests a second on one core). N keep-alive
// connections, each with one request in flight at a time (no pipelining: a new request is written
// when the previous answer is complete); requests pre-serialised once, or, with a nonce, the body
// rebuilt per request (a fresh nonce each); answers framed by Content-Length or chunked coding
// (RFC 9112 §6, §7.1); every status counted; latency from write to the answer's last byte in a
// histogram of 10 µs buckets. It does what the benchmark's targets need and no more: no TLS, no
// redirects, no 1xx, no HTTP/1.0 close-delimited bodies (a server closing the connection is an
// error and the connection is opened again).

import { connect, type Socket } from 'node:net';
import type { LoadConfig, LoadResult } from '../children/load.js';

/** Histogram buckets of 10 µs (100 a millisecond) up to 2 s; slower answers land in the last one. */
const BUCKETS_PER_MS = 100;
const BUCKETS = 2_000 * BUCKETS_PER_MS;

const CRLF2 = Buffer.from('\r\n\r\n');

/** Percentile p (0-100) of the histogram, ms (the bucket's upper edge); NaN for no data. */
function histogramPercentile(h: Uint32Array, count: number, p: number): number {
  if (count === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * count));
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i]!;
    if (seen >= rank) return (i + 1) / BUCKETS_PER_MS;
  }
  return h.length / BUCKETS_PER_MS;
}

/** The request text before its body: request line and headers (RFC 9112 §3), `Host` first. */
function head(url: URL, config: LoadConfig): string {
  const lines = [`${config.method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(config.headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * How long the answer at the start of `buf` is, bytes, with its status; undefined while it is
 * incomplete. Throws on a response it cannot frame.
 */
function frame(buf: Buffer): { status: number; length: number } | undefined {
  const end = buf.indexOf(CRLF2);
  if (end < 0) return undefined;
  const headers = buf.toString('latin1', 0, end);
  // RFC 9112 §4: HTTP-version SP status-code SP reason.
  const status = Number(headers.slice(9, 12));
  if (!headers.startsWith('HTTP/1.1 ') || !Number.isInteger(status)) throw new Error(`not an HTTP/1.1 response: ${JSON.stringify(headers.slice(0, 40))}`);
  const lower = headers.toLowerCase();
  const cl = /\r\ncontent-length:[ \t]*(\d+)/.exec(lower);
  const bodyStart = end + 4;
  if (cl) {
    const length = bodyStart + Number(cl[1]);
    return buf.length >= length ? { status, length } : undefined;
  }
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) {
    // RFC 9112 §7.1: chunk-size [ext] CRLF data CRLF … last-chunk (0) [trailers] CRLF.
    let at = bodyStart;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at, 'latin1');
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.toString('latin1', at, lineEnd).split(';')[0]!, 16);
      if (!Number.isFinite(size)) throw new Error('bad chunk size');
      if (size === 0) {
        // Trailers (none expected) end with an empty line.
        const trailerEnd = buf.indexOf('\r\n', lineEnd + 2, 'latin1');
        if (trailerEnd < 0) return undefined;
        if (trailerEnd === lineEnd + 2) return { status, length: trailerEnd + 2 };
        const withTrailers = buf.indexOf(CRLF2, lineEnd + 2);
        return withTrailers < 0 ? undefined : { status, length: withTrailers + 4 };
      }
      at = lineEnd + 2 + size + 2;
      if (at > buf.length) return undefined;
    }
  }
  // No body framing: a bodiless status (RFC 9112 §6.3: 204, 304) or an empty body.
  return { status, length: bodyStart };
}

export async function netLoad(config: LoadConfig): Promise<LoadResult> {
  const url = new URL(config.url);
  if (url.protocol !== 'http:') throw new Error('net-load speaks plain HTTP only');
  const port = Number(url.port || 80);
  const prefix = head(url, config);
  const repeat = config.nonce?.repeat ?? 1;
  // A request without a nonce is the same bytes every time: encoded once.
  const fixedText = config.body === undefined ? `${prefix}\r\n` : config.nonce === undefined ? `${prefix}content-length: ${Buffer.byteLength(config.body)}\r\n\r\n${config.body}` : undefined;
  const fixed = fixedText === undefined ? undefined : Buffer.from(fixedText, 'latin1');
  let n = 0;
  /** The next request's bytes, and its nonce (fresh per request, or each `repeat` times). */
  const next = (): { text: string | Buffer; nonce?: string } => {
    if (fixed !== undefined) return { text: fixed };
    const nonce = `${config.nonce!.prefix}${Math.floor(n++ / repeat)}`;
    const body = config.body!.replace('{nonce}', encodeURIComponent(nonce));
    return { text: `${prefix}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, nonce };
  };

  const histogram = new Uint32Array(BUCKETS);
  const statuses: Record<string, number> = {};
  const accepted = new Map<string, number>();
  let sent = 0;
  let completed = 0;
  let ok = 0;
  let errors = 0;
  let latencySum = 0;
  let running = true;
  const sockets = new Set<Socket>();

  const open = (): void => {
    const socket = connect({ host: url.hostname, port, noDelay: true });
    sockets.add(socket);
    let pending: Buffer | undefined;
    let startedAt = 0;
    let nonce: string | undefined;
    let inFlight = false;
    const send = (): void => {
      if (!running) return;
      const r = next();
      nonce = r.nonce;
      inFlight = true;
      sent++;
      startedAt = performance.now();
      socket.write(r.text);
    };
    socket.on('connect', send);
    socket.on('data', (chunk: Buffer) => {
      const buf = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
      pending = undefined;
      let f;
      try {
        f = frame(buf);
      } catch {
        errors++;
        socket.destroy();
        return;
      }
      if (f === undefined) {
        pending = buf;
        return;
      }
      if (!running) return;
      const ms = performance.now() - startedAt;
      inFlight = false;
      completed++;
      latencySum += ms;
      histogram[Math.min(BUCKETS - 1, Math.floor(ms * BUCKETS_PER_MS))]!++;
      statuses[f.status] = (statuses[f.status] ?? 0) + 1;
      if (f.status >= 200 && f.status < 300) ok++;
      if (config.track && f.status === 200 && nonce !== undefined) accepted.set(nonce, (accepted.get(nonce) ?? 0) + 1);
      if (buf.length > f.length) {
        // Bytes after a complete answer with nothing asked: the server is not doing HTTP/1.1 right.
        errors++;
        socket.destroy();
        return;
      }
      send();
    });
    socket.on('error', () => {
      if (running) errors++;
    });
    socket.on('close', () => {
      sockets.delete(socket);
      // A server that closes a kept-alive connection loses the request in flight: count it, reconnect.
      if (running) {
        if (inFlight) errors++;
        open();
      }
    });
  };

  const t0 = performance.now();
  for (let i = 0; i < config.connections; i++) open();
  await new Promise((resolve) => setTimeout(resolve, config.seconds * 1000));
  running = false;
  const seconds = (performance.now() - t0) / 1000;
  for (const s of sockets) s.destroy();
  return {
    rate: ok / seconds,
    requests: completed,
    sent,
    ok,
    non2xx: completed - ok,
    errors,
    timeouts: 0,
    statuses,
    latency: {
      p50: histogramPercentile(histogram, completed, 50),
      p99: histogramPercentile(histogram, completed, 99),
      mean: completed === 0 ? Number.NaN : latencySum / completed,
    },
    seconds,
    ...(config.track ? { noncesAccepted: accepted.size, duplicatesAccepted: [...accepted.values()].filter((c) => c > 1).length } : {}),
  };
}
