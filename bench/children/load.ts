// The load generator: autocannon, or the lean node:net one (lib/net-load.ts), against one URL for
// a fixed time, each request's body made per request (a fresh nonce per request, or each nonce
// `repeat` times in a row to test the replay guard), every response's status recorded per nonce
// when asked.

import autocannon from 'autocannon';
import { serveChild } from '../lib/child.js';
import { netLoad } from '../lib/net-load.js';

export interface LoadConfig {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Body template; `{nonce}` is replaced per request. */
  body?: string;
  /** Nonces are `${prefix}${n}`; each is sent `repeat` times (default 1). */
  nonce?: { prefix: string; repeat?: number };
  seconds: number;
  connections: number;
  /** Record, per nonce, how many 200 answers it got. */
  track?: boolean;
  /** Which load generator (default autocannon). */
  generator?: LoadGenerator;
}

/** autocannon, or lib/net-load.ts (node:net, lighter: for rows where autocannon could be the bound). */
export type LoadGenerator = 'autocannon' | 'net';

export interface LoadResult {
  /** 2xx answers per second. */
  rate: number;
  requests: number;
  /** Requests sent, answered or not when the run ended (each reached the server). */
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  latency: { p50: number; p99: number; mean: number };
  seconds: number;
  /** With track: nonces answered 200 once, and more than once (a replay accepted). */
  noncesAccepted?: number;
  duplicatesAccepted?: number;
}

async function run(config: LoadConfig): Promise<LoadResult> {
  let n = 0;
  const repeat = config.nonce?.repeat ?? 1;
  const accepted = new Map<string, number>();
  const request: autocannon.Request = {
    method: config.method,
    headers: config.headers,
    ...(config.body === undefined ? {} : { body: config.body }),
    ...(config.body !== undefined && config.nonce !== undefined
      ? {
          setupRequest: (req: autocannon.Request, context: object) => {
            const nonce = `${config.nonce!.prefix}${Math.floor(n++ / repeat)}`;
            (context as { nonce?: string }).nonce = nonce;
            return { ...req, body: config.body!.replace('{nonce}', encodeURIComponent(nonce)) };
          },
        }
      : {}),
    ...(config.track
      ? {
          onResponse: (status: number, _body: string, context: object) => {
            const nonce = (context as { nonce?: string }).nonce;
            if (status === 200 && nonce !== undefined) accepted.set(nonce, (accepted.get(nonce) ?? 0) + 1);
          },
        }
      : {}),
  };
  const result = await autocannon({
    url: config.url,
    connections: config.connections,
    pipelining: 1,
    duration: config.seconds,
    requests: [request],
  });
  const statuses: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = s.count ?? 0;
  const ok = result['2xx'];
  return {
    rate: ok / result.duration,
    requests: result.requests.total,
    sent: result.requests.sent,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
    latency: { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean },
    seconds: result.duration,
    ...(config.track
      ? { noncesAccepted: accepted.size, duplicatesAccepted: [...accepted.values()].filter((c) => c > 1).length }
      : {}),
  };
}

serveChild({ run: (config: LoadConfig) => (config.generator === 'net' ? netLoad(config) : run(config)) });
