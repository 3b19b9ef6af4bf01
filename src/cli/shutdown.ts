// Graceful shutdown of a running server: stop accepting connections, let the requests in
// flight finish (bounded), then close what is left. Orchestrators send SIGTERM and wait a while
// (Docker 10 s, Kubernetes 30 s) before SIGKILL; a request cut off mid-write is a user's failed
// sign-in.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunningServer } from '../common/node-server.js';

/** How long in-flight requests may take to finish after SIGTERM. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** Counts the requests a server is answering. */
export function trackInFlight(running: RunningServer): { readonly count: number } {
  const state = { count: 0 };
  running.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    state.count++;
    res.once('close', () => state.count--);
  });
  return state;
}

/**
 * Stops accepting, waits up to `graceMs` for the requests in flight, then closes every
 * connection. Idle keep-alive connections are closed as they become idle, so a client cannot
 * hold the server open. Resolves with whether everything finished in time.
 */
export async function drain(running: RunningServer, graceMs = SHUTDOWN_GRACE_MS): Promise<boolean> {
  const { server } = running;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(resolve, graceMs, false)))]);
  clearInterval(sweep);
  clearTimeout(timer);
  if (!finished) {
    server.closeAllConnections();
    await closed;
  }
  return finished;
}
