// fedkit/idp/fastify: the IdP as a Fastify plugin. `app.register(fedkitIdp, { idp })` at the
// root, or `app.register(fedkitIdp, { idp, prefix: '/idp' })` for an IdP whose issuer is
// `https://host/idp` (with `app.register(fedkitWellKnown, { idp })` at the root for the
// well-known file). Fastify is imported for its types only, so this module loads wherever
// fedkit does.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { lightHandlerOf, type LightReply } from '../common/light-http.js';
import { BadRequestError, toLightRequest, toRequest } from '../common/node-server.js';
import type { Idp } from './idp.js';
import { badRequest, IdpMountError, routesUnder, unrepresentableMethod, type MountedRoute } from './mount.js';

/** The options of both plugins (Fastify's own `prefix` among them, for fedkitIdp). */
export interface FedkitIdpPluginOptions {
  /** The IdP to serve (createIdp). */
  idp: Idp;
}

/**
 * Inside the plugin's own context (Fastify encapsulates content-type parsers), every body is
 * taken as its bytes, whatever its type or the app's parsers (@fastify/formbody or none): the IdP
 * reads and checks bodies itself (FedCM's forms, its size limit, its 415 for a wrong type), and
 * Fastify would otherwise refuse a type it has no parser for before the IdP could answer. The
 * app's routes outside the plugin keep their parsers.
 */
function takeBodiesAsBytes(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}

async function respond(idp: Idp, route: MountedRoute, request: FastifyRequest): Promise<Response | LightReply> {
  const refused = unrepresentableMethod(route, request.method);
  if (refused !== undefined) return refused;
  const body = request.body instanceof Uint8Array ? request.body : new Uint8Array(0);
  // request.ip follows the app's own trustProxy setting.
  const info = { remoteAddress: request.ip };
  // The IdP's Node path (common/light-http.ts): no Request built, no Response read back.
  const light = lightHandlerOf(idp);
  try {
    if (light !== undefined) return await light(toLightRequest(request.raw, { scheme: request.protocol, body }), info);
    return await idp(toRequest(request.raw, { scheme: request.protocol, body }), info);
  } catch (e) {
    if (e instanceof BadRequestError) return badRequest(e.message);
    throw e;
  }
}

/** Sends the answer through Fastify's reply, so the app's hooks and logger see it. */
async function send(reply: FastifyReply, response: Response | LightReply): Promise<FastifyReply> {
  if (!(response instanceof Response)) {
    reply.code(response.status);
    for (const name of [...response.headers.keys()].sort()) reply.header(name, response.headers.get(name)!);
    if (response.setCookies.length > 0) reply.header('set-cookie', [...response.setCookies]);
    return reply.send(response.body === null ? undefined : Buffer.from(response.body));
  }
  reply.code(response.status);
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') reply.header(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header('set-cookie', cookies);
  return reply.send(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
}

function serveRoutes(fastify: FastifyInstance, idp: Idp, routes: readonly (MountedRoute & { relative: string })[]): void {
  takeBodiesAsBytes(fastify);
  for (const route of routes) {
    // Every method: the IdP answers the ones the route does not serve with its own 405 and Allow.
    fastify.all(route.relative, async (request, reply) => send(reply, await respond(idp, route, request)));
  }
}

/**
 * A Fastify plugin serving every route of `idp` under the plugin's prefix. The IdP's public base
 * is its issuer: register it with the issuer's path as `prefix` (or none, at the root); another
 * prefix fails the registration with IdpMountError. At a prefix it cannot serve the FedCM
 * well-known file, which the browser fetches at the site's root: register fedkitWellKnown there.
 */
export async function fedkitIdp(fastify: FastifyInstance, options: FedkitIdpPluginOptions): Promise<void> {
  serveRoutes(fastify, options.idp, routesUnder(options.idp, fastify.prefix, 'fedkitIdp'));
}

/**
 * A Fastify plugin serving the IdP's FedCM well-known file (`/.well-known/web-identity`, FedCM
 * §3.2), for an IdP registered under a prefix. Register it without a prefix, in the app that
 * answers for the IdP's registrable domain (`idp.urls.wellKnown`).
 */
export async function fedkitWellKnown(fastify: FastifyInstance, options: FedkitIdpPluginOptions): Promise<void> {
  if (fastify.prefix !== '') {
    throw new IdpMountError(`fedkitWellKnown is registered with prefix ${fastify.prefix}, but the browser fetches /.well-known/web-identity at the site's root: register it without a prefix.`);
  }
  serveRoutes(fastify, options.idp, routesUnder(options.idp, '', 'fedkitWellKnown').filter((r) => r.at === 'site'));
}
