// fedkit/rp/fastify: FedCM token verification as a Fastify preHandler hook. On the route the
// sign-in page posts its token to: `app.post('/session', { preHandler: fedcmMiddleware({
// configURL, clientId, nonce }) }, async (request) => … request.fedcm.claims.sub …)`. Fastify
// parses JSON itself; a form body needs @fastify/formbody. Fastify is imported for its types only.

import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { failureBody, FedcmCheck, type FedcmMiddlewareOptions } from './middleware.js';
import type { VerifiedIdentity } from './verify.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified FedCM identity (claims, alg, kid), set by fedkit/rp/fastify's fedcmMiddleware. */
    fedcm?: VerifiedIdentity;
  }
}

/**
 * A Fastify preHandler that verifies the FedCM token in the request body (JSON `{"token": "…"}`
 * or the form field `token`) against `options.nonce(request)`. On success `request.fedcm` is the
 * verified identity and the handler runs; otherwise it answers 400 / 401 / 503 with
 * `{ error: { code, message } }` naming the failed check.
 */
export function fedcmMiddleware(options: FedcmMiddlewareOptions<FastifyRequest>): preHandlerAsyncHookHandler {
  const check = new FedcmCheck(options);
  return async function fedcm(request: FastifyRequest, reply: FastifyReply) {
    const result = await check.run(request, request.body);
    if ('failure' in result) {
      // An async hook that answers must return the reply, so Fastify runs nothing after it.
      return reply.code(result.failure.status).header('cache-control', 'no-store').send(failureBody(result.failure));
    }
    request.fedcm = result.identity;
    return undefined;
  };
}

export type { FedcmCheckCode, FedcmFailure, FedcmMiddlewareOptions } from './middleware.js';
