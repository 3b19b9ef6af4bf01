// Which connection a request went out on, and whether any of its response arrived: what the
// fetcher needs to decide whether a failed request may be sent again (RFC 9112 §9.3.1, Chromium
// HttpNetworkTransaction::ShouldResendRequest). undici keeps both facts private, so they are
// read from its diagnostics channels:
//   - `undici:request:create` is published synchronously inside the dispatch() call that builds
//     the request, so the request object is linked to the attempt that is being started;
//   - `undici:client:sendHeaders` is published as the request is written, with its socket: a
//     WeakMap counts the requests written on each socket, so the first one finds 0 (a fresh
//     connection) and later ones a reused keep-alive connection;
//   - the socket's `bytesRead` (decrypted bytes for TLS, so a close_notify alert does not count)
//     at that moment, compared with its value when the request fails, says whether any byte
//     of the response came back.
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/** One attempt at sending a request, as seen on the wire. */
export interface Attempt {
  /** The socket the request was written on; undefined when it was never written (connect failed). */
  socket: Socket | undefined;
  /** True when the socket had carried an earlier request: a reused keep-alive connection. */
  reused: boolean;
  /** socket.bytesRead when this request was written. */
  bytesReadAtSend: number;
}

let starting: Attempt | undefined;
const attempts = new WeakMap<object, Attempt>();
const requestsWritten = new WeakMap<Socket, number>();
let subscribed = false;

function subscribeOnce(): void {
  if (subscribed) return;
  subscribed = true;
  subscribe('undici:request:create', (message) => {
    if (starting === undefined) return;
    attempts.set((message as { request: object }).request, starting);
    starting = undefined;
  });
  subscribe('undici:client:sendHeaders', (message) => {
    const { request, socket } = message as { request: object; socket: Socket };
    const before = requestsWritten.get(socket) ?? 0;
    requestsWritten.set(socket, before + 1);
    const attempt = attempts.get(request);
    if (attempt === undefined) return;
    attempt.socket = socket;
    attempt.reused = before > 0;
    attempt.bytesReadAtSend = socket.bytesRead;
  });
}

/**
 * Runs `dispatch` (a call of undici's request(), which builds its request synchronously) and
 * links the request it creates to a new Attempt, filled in as the request is written.
 */
export function tracked<T>(dispatch: () => T): { attempt: Attempt; result: T } {
  subscribeOnce();
  const attempt: Attempt = { socket: undefined, reused: false, bytesReadAtSend: 0 };
  starting = attempt;
  try {
    return { attempt, result: dispatch() };
  } finally {
    starting = undefined;
  }
}

/**
 * The errors that mean "the connection went away under the request" (Chromium's list in
 * HttpNetworkTransaction::HandleIOError, by the codes Node and undici give them):
 * ERR_CONNECTION_RESET (ECONNRESET, and EPIPE, which Chromium maps to it), ERR_CONNECTION_ABORTED
 * (ECONNABORTED), ERR_SOCKET_NOT_CONNECTED (ENOTCONN), and ERR_CONNECTION_CLOSED /
 * ERR_EMPTY_RESPONSE (undici's SocketError, UND_ERR_SOCKET: "other side closed", "closed").
 * Not timeouts, aborts, TLS failures, or undici's own closing of the pool (UND_ERR_CLOSED,
 * UND_ERR_DESTROYED).
 */
const CLOSED_UNDER_REQUEST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ENOTCONN', 'UND_ERR_SOCKET']);

/**
 * RFC 9112 §9.3.1 (a client MAY retry a request after a connection closed before any response,
 * automatically only for idempotent methods unless it knows otherwise) as Chromium applies it
 * (ShouldResendRequest: the connection was reused and no response headers arrived, whatever the
 * method: a server that closes an idle keep-alive connection has not processed the request).
 * Stricter than Chromium on one point: any response byte, not only complete headers, forbids it.
 */
export function mayResend(attempt: Attempt, codes: readonly string[]): boolean {
  if (attempt.socket === undefined || !attempt.reused) return false;
  if (attempt.socket.bytesRead !== attempt.bytesReadAtSend) return false;
  return codes.some((c) => CLOSED_UNDER_REQUEST.has(c));
}
