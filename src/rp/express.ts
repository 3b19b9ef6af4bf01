// fedkit/rp/express: FedCM token verification as Express middleware. On the route the sign-in
// page posts its token to: `app.post('/session', fedcmMiddleware({ configURL, clientId, nonce }),
// (req, res) => … req.fedcm.claims.sub …)`. Express is imported for its types only.

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { readBodyBytes, BodyReadError, BodyTooLargeError } from '../common/body.js';
import { toRequest } from '../common/node-server.js';
import { bodyWasRead } from '../common/parsed-body.js';
import { failureBody, FedcmCheck, parseBody, type FedcmFailure, type FedcmMiddlewareOptions } from './middleware.js';
import type { VerifiedIdentity } from './verify.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The verified FedCM identity (claims, alg, kid), set by fedkit/rp/express's fedcmMiddleware. */
    fedcm?: VerifiedIdentity;
  }
}

/** The body, parsed: the app's parser's `req.body`, or read here (and left in `req.body`) when no parser ran. */
async function bodyOf(req: Request, maxBytes: number): Promise<{ body: unknown } | { failure: FedcmFailure }> {
  if (req.body !== undefined || bodyWasRead(req)) return { body: req.body };
  let bytes: Uint8Array;
  try {
    bytes = await readBodyBytes(toRequest(req), maxBytes);
  } catch (e) {
    if (e instanceof BodyTooLargeError) return { failure: { status: 413, code: 'bad_body', message: e.message } };
    if (e instanceof BodyReadError) return { failure: { status: 400, code: 'bad_body', message: e.message } };
    throw e;
  }
  const parsed = parseBody(bytes, req.headers['content-type']);
  // The stream is spent now: what it held stays where a parser would have put it.
  if ('body' in parsed) req.body = parsed.body;
  return parsed;
}

/**
 * Express middleware that verifies the FedCM token the request carries in its body (JSON
 * `{"token": "…"}` or the form field `token`), against `options.nonce(req)`. On success
 * `req.fedcm` is the verified identity and the next handler runs; otherwise it answers 400 / 401
 * / 413 / 415 / 503 with `{ error: { code, message } }` naming the failed check. Works with or
 * without the app's body parsers.
 */
export function fedcmMiddleware(options: FedcmMiddlewareOptions<Request>): RequestHandler {
  const check = new FedcmCheck(options);
  return (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const body = await bodyOf(req, check.maxBodyBytes);
      const result = 'failure' in body ? body : await check.run(req, body.body);
      if ('failure' in result) {
        res.status(result.failure.status).set('cache-control', 'no-store').json(failureBody(result.failure));
        return;
      }
      req.fedcm = result.identity;
      next();
    })().catch(next);
  };
}

export type { FedcmCheckCode, FedcmFailure, FedcmMiddlewareOptions } from './middleware.js';
