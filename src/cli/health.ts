// `/healthz` and `/readyz` in front of a server's handler, for orchestrators (Docker, Kubernetes).
// Liveness says the process answers; readiness says it can do its work now: its store answers
// within a bounded time, and it is not shutting down. Probes are not logged (one every few
// seconds would drown the request log).

import type { FetchHandler } from '../common/node-server.js';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';
/** The longest a readiness probe waits for the store. */
export const READY_TIMEOUT_MS = 2_000;

export interface HealthState {
  /** Set when shutdown begins: readiness turns 503 so a balancer stops sending requests. */
  stopping: boolean;
}

function answer(status: number, body: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}

/** `probe` throws (or rejects) when the store is not reachable. */
export function withHealth(handler: FetchHandler, probe: () => Promise<unknown>, state: HealthState): FetchHandler {
  return async (request, info) => {
    const { pathname } = new URL(request.url);
    if ((pathname !== HEALTH_PATH && pathname !== READY_PATH) || (request.method !== 'GET' && request.method !== 'HEAD')) return handler(request, info);
    if (pathname === HEALTH_PATH) return answer(200, { status: 'ok' });
    if (state.stopping) return answer(503, { status: 'stopping' });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        probe(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS))),
      ]);
      return answer(200, { status: 'ready' });
    } catch (e) {
      // The reason names the store's trouble (not its URL, which may hold a password).
      return answer(503, { status: 'unavailable', reason: `store: ${e instanceof Error ? e.message.replace(/\/\/[^@/\s]*@/g, '//…@') : String(e)}` });
    } finally {
      clearTimeout(timer);
    }
  };
}
