// The logger the IdP kit and the RP app write to: the subset of pino's interface they use, so
// a pino logger (or any object with these four methods) can be passed, and a silent default.

/**
 * What fedkit writes its logs through: pino's `(object, message)` calling convention and
 * `child(bindings)`. A `pino()` logger fits as it is; so does a small object of your own.
 */
export interface Logger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  /** A logger whose every line also carries `bindings` (e.g. `{ component: 'idp' }`). */
  child(bindings: Record<string, unknown>): Logger;
}

/** The library default: writes nothing (a server that wants logs passes its own). */
export const SILENT_LOGGER: Logger = Object.freeze({
  info() {},
  warn() {},
  error() {},
  child: () => SILENT_LOGGER,
});

/** One answered request, as both servers log it. No query string, header or body is ever in it. */
export interface RequestLogFields {
  /** The id a 500 answer carries, so a user's report can be matched to its log line. */
  reqId: string;
  method: string;
  /** The path only: queries may carry tickets and codes. */
  path: string;
  status: number;
  /** Milliseconds from the request reaching the handler to its response being ready. */
  ms: number;
  /** Why a 4xx was answered, as the error body says it ("unauthorized_client: No client …"). */
  reason?: string;
}

/**
 * Answers one request with `answer` and writes its line: info below 400, warn for 4xx (with the
 * refusal's reason), error for 5xx. Both servers log through this, so their lines agree.
 */
export async function answerLogged<R extends { readonly status: number }>(logger: Logger, request: { readonly method: string; readonly url: string }, requestId: string, answer: () => Promise<R>): Promise<R> {
  const started = performance.now();
  const response = await answer();
  const reason = response.status >= 400 && response.status < 500 ? reasonOf(response) : undefined;
  const fields: RequestLogFields = {
    reqId: requestId,
    method: request.method.slice(0, 40),
    path: loggablePath(request.url),
    status: response.status,
    ms: Math.round((performance.now() - started) * 10) / 10,
    ...(reason === undefined ? {} : { reason }),
  };
  logger[response.status >= 500 ? 'error' : response.status >= 400 ? 'warn' : 'info'](fields, 'request');
  return response;
}

/**
 * Responses a handler refused, with the reason to log: set where the refusal is made (an error
 * body, an error page), read once the response reaches the request log. A WeakMap, so nothing
 * has to travel in a header and nothing outlives the response.
 */
const reasons = new WeakMap<object, string>();

/** Marks `response` as refused for `reason` (a code and a sentence; never a secret). */
export function withReason<R extends object>(response: R, reason: string): R {
  reasons.set(response, reason);
  return response;
}

export function reasonOf(response: object): string | undefined {
  return reasons.get(response);
}

/** A path fit for a log line: at most 200 characters, control characters escaped. */
export function loggablePath(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = '?';
  }
  // eslint-disable-next-line no-control-regex
  return path.slice(0, 200).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
