// fedkit/idp/express: the IdP as Express middleware. `app.use(fedkitIdp(idp))` at the root, or
// `app.use('/idp', fedkitIdp(idp))` for an IdP whose issuer is `https://host/idp` (with
// `app.use(fedkitWellKnown(idp))` at the root for the well-known file). Works before or after
// the app's body parsers: a body they read is rebuilt from `req.body` (common/parsed-body.ts).
// Express is imported for its types only, so this module loads wherever fedkit does.

import type { NextFunction, Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';
import { lightHandlerOf, writeLightReply, type LightReply } from '../common/light-http.js';
import { BadRequestError, toLightRequest, toRequest, writeResponse } from '../common/node-server.js';
import type { Idp } from './idp.js';
import { badRequest, IdpMountError, mountedRoutes, routesUnder, unrepresentableMethod, type MountedRoute } from './mount.js';

/** The request's path as the IdP will match it (URL-parsed, so `/a/./b` is `/a/b`); undefined when it has none. */
function pathOf(req: ExpressRequest): string | undefined {
  const target = req.originalUrl ?? req.url;
  if (!target.startsWith('/')) return undefined; // absolute-form (a proxy's request): not a route of ours
  try {
    return new URL(`http://path.invalid${target}`).pathname;
  } catch {
    return undefined;
  }
}

/** The IdP's answer to `req`; the Request is built only for a route of the IdP, so other paths' bodies are left alone. */
async function respond(idp: Idp, route: MountedRoute, req: ExpressRequest): Promise<Response | LightReply> {
  const refused = unrepresentableMethod(route, req.method);
  if (refused !== undefined) return refused;
  const scheme = req.protocol === 'https' ? 'https' : 'http';
  // req.ip follows the app's own 'trust proxy' setting, as everything else in the app does.
  const info = { remoteAddress: req.ip ?? req.socket.remoteAddress };
  // The IdP's Node path (common/light-http.ts): no Request built, no Response read back.
  const light = lightHandlerOf(idp);
  try {
    if (light !== undefined) return await light(toLightRequest(req, { scheme }), info);
    return await idp(toRequest(req, { scheme }), info);
  } catch (e) {
    if (e instanceof BadRequestError) return badRequest(e.message);
    throw e;
  }
}

function middleware(idp: Idp, serves: (req: ExpressRequest) => ReadonlyMap<string, MountedRoute>): RequestHandler {
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    let routes: ReadonlyMap<string, MountedRoute>;
    try {
      routes = serves(req);
    } catch (e) {
      next(e);
      return;
    }
    const path = pathOf(req);
    const route = path === undefined ? undefined : routes.get(path);
    if (route === undefined) {
      next();
      return;
    }
    // Errors go to Express's error handling (logged there, or by the app's own handler): never swallowed.
    respond(idp, route, req)
      .then((answer) => (answer instanceof Response ? writeResponse(res, answer, req.method) : writeLightReply(res, answer, req.method)))
      .catch(next);
  };
}

/**
 * Express middleware serving every route of `idp` under where it is mounted. The IdP's public
 * base is its issuer: mount it at the issuer's path (`app.use('/idp', fedkitIdp(idp))` for
 * `issuer: 'https://idp.example/idp'`) or at the root. Mounted elsewhere, every request under
 * the mount is passed to `next(IdpMountError)`. At a prefix it cannot serve the FedCM well-known
 * file, which the browser fetches at the site's root: mount `fedkitWellKnown(idp)` there.
 */
export function fedkitIdp(idp: Idp): RequestHandler {
  const byMount = new Map<string, ReadonlyMap<string, MountedRoute>>();
  return middleware(idp, (req) => {
    let routes = byMount.get(req.baseUrl);
    if (routes === undefined) {
      routes = new Map(routesUnder(idp, req.baseUrl, 'fedkitIdp').map((r) => [r.pathname, r]));
      byMount.set(req.baseUrl, routes);
    }
    return routes;
  });
}

/**
 * Express middleware serving the IdP's FedCM well-known file (`/.well-known/web-identity`,
 * FedCM §3.2), for an IdP mounted under a prefix. Mount it at the root of the app that answers
 * for the IdP's registrable domain (`idp.urls.wellKnown`); anywhere else it is an IdpMountError.
 */
export function fedkitWellKnown(idp: Idp): RequestHandler {
  const routes = new Map(mountedRoutes(idp).filter((r) => r.at === 'site').map((r) => [r.pathname, r]));
  return middleware(idp, (req) => {
    if (req.baseUrl !== '') {
      throw new IdpMountError(`fedkitWellKnown is mounted at ${req.baseUrl}, but the browser fetches ${routes.keys().next().value ?? ''} at the site's root: mount it with app.use(fedkitWellKnown(idp)).`);
    }
    return routes;
  });
}
