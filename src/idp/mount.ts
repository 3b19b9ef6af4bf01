// Where an IdP's routes are, for a router that mounts it: IDP_ROUTES with this IdP's URLs, and
// the part of them a router mounted under a path prefix serves. The framework adapters
// (express.ts, fastify.ts) and the docs read the routes from here, so none of them can leave
// one out (the Hono example in docs/idp.md once forgot the OpenID discovery document).

import { HttpError, errorResponse, type IdpReply } from './http.js';
import type { Idp } from './idp.js';
import { IDP_ROUTES, type IdpRoute } from './routes.js';

/** One route of one IdP: the IDP_ROUTES entry, its absolute URL and its path on the server. */
export interface MountedRoute extends IdpRoute {
  /** The absolute URL (`idp.urls[name]`). */
  readonly url: string;
  /** The URL's path: what a router matches. */
  readonly pathname: string;
}

/** The IdP's routes, in IDP_ROUTES order. */
export function mountedRoutes(idp: Idp): MountedRoute[] {
  return IDP_ROUTES.map((route) => ({ ...route, url: idp.urls[route.name], pathname: new URL(idp.urls[route.name]).pathname }));
}

/**
 * A router mounted where the IdP's URLs are not: it would serve nothing the config names. A
 * fault of the server's set-up, raised when the router is registered (Fastify) or on its first
 * request (Express, which tells a router its mount path only then).
 */
export class IdpMountError extends Error {
  override readonly name = 'IdpMountError';
}

/** The issuer URL's path without a trailing slash: `''` for `https://idp.example`. */
export function issuerPath(idp: Idp): string {
  return new URL(idp.issuer).pathname.replace(/\/+$/, '');
}

/**
 * The routes a router mounted at `prefix` serves, each with its path relative to the prefix.
 * The IdP's public base is its issuer URL (decisions.md, "Mounting"): its path must be the prefix
 * or lie under it. At a prefix, the well-known file is not among them: the browser fetches it at
 * the root of the registrable domain (FedCM §3.2), which only a root mount reaches
 * (`fedkitWellKnown`).
 */
export function routesUnder(idp: Idp, prefix: string, adapter: string): (MountedRoute & { relative: string })[] {
  const base = prefix.replace(/\/+$/, '');
  const path = issuerPath(idp);
  if (base !== '' && path !== base && !path.startsWith(base + '/')) {
    throw new IdpMountError(
      `${adapter} is mounted at ${base}, but the IdP's issuer ${idp.issuer} puts its endpoints under ${path === '' ? '/' : path}: ` +
        `mount it at ${path === '' ? 'the root' : path}, or create the IdP with issuer ${new URL(idp.issuer).origin}${base}.`,
    );
  }
  return mountedRoutes(idp)
    .filter((route) => base === '' || route.pathname.startsWith(base + '/'))
    .map((route) => ({ ...route, relative: route.pathname.slice(base.length) }));
}

/**
 * The answer to TRACE or TRACK on an IdP route: fetch's Request cannot carry those methods, so
 * the IdP is never asked; this is its own 405 with the route's `Allow` (RFC 9110 §15.5.6).
 */
export function unrepresentableMethod(route: IdpRoute, method: string): IdpReply | undefined {
  if (method !== 'TRACE' && method !== 'TRACK') return undefined;
  return errorResponse(new HttpError(405, 'invalid_request', `Method ${method} is not allowed here; use ${route.methods.join(' or ')}.`, { allow: route.methods.join(', ') }));
}

/** The IdP's 400 for a request no fetch Request can describe (a malformed target). */
export function badRequest(message: string): IdpReply {
  return errorResponse(new HttpError(400, 'invalid_request', message));
}
