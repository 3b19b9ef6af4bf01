// fedkit/rp/hono: FedCM token verification as Hono middleware. On the route the sign-in page
// posts its token to: `app.post('/session', fedcmMiddleware({ configURL, clientId, nonce }),
// (c) => … c.get('fedcm').claims.sub …)`. Hono is imported for its types only.

import type { Context, MiddlewareHandler } from 'hono';
import { BodyReadError, BodyTooLargeError, readBodyBytes } from '../common/body.js';
import { failureBody, FedcmCheck, parseBody, type FedcmFailure, type FedcmMiddlewareOptions } from './middleware.js';
import type { VerifiedIdentity } from './verify.js';

/** The Hono variables the middleware sets: `c.get('fedcm')` is the verified identity. */
export interface FedcmVariables {
  fedcm: VerifiedIdentity;
}

/** The Hono environment of a route behind the middleware: `new Hono<FedcmEnv>()`, or inferred from the route. */
export interface FedcmEnv {
  Variables: FedcmVariables;
}

/**
 * The body, read at most `maxBytes` from a clone: the route's handler can still read
 * `c.req.json()` or `c.req.parseBody()` after the middleware.
 */
async function bodyOf(c: Context, maxBytes: number): Promise<{ body: unknown } | { failure: FedcmFailure }> {
  let bytes: Uint8Array;
  try {
    bytes = await readBodyBytes(c.req.raw.clone(), maxBytes);
  } catch (e) {
    if (e instanceof BodyTooLargeError) return { failure: { status: 413, code: 'bad_body', message: e.message } };
    if (e instanceof BodyReadError) return { failure: { status: 400, code: 'bad_body', message: e.message } };
    throw e;
  }
  return parseBody(bytes, c.req.header('content-type'));
}

/**
 * Hono middleware that verifies the FedCM token in the request body (JSON `{"token": "…"}` or
 * the form field `token`) against `options.nonce(c)`. On success `c.get('fedcm')` is the verified
 * identity and the next handler runs; otherwise it answers 400 / 401 / 413 / 415 / 503 with
 * `{ error: { code, message } }` naming the failed check.
 */
export function fedcmMiddleware(options: FedcmMiddlewareOptions<Context>): MiddlewareHandler<FedcmEnv> {
  const check = new FedcmCheck(options);
  return async (c, next) => {
    const body = await bodyOf(c, check.maxBodyBytes);
    const result = 'failure' in body ? body : await check.run(c, body.body);
    if ('failure' in result) {
      c.header('cache-control', 'no-store');
      return c.json(failureBody(result.failure), result.failure.status);
    }
    c.set('fedcm', result.identity);
    await next();
    return undefined;
  };
}

export type { FedcmCheckCode, FedcmFailure, FedcmMiddlewareOptions } from './middleware.js';
