// Every route the IdP serves, once: where it lives and which IdpUrls member names it. createIdp
// derives its URLs and its router from this list, and mounting code (adapters, docs) reads it
// to know what to pass to the IdP.

import { isLocalhost, registrableDomain } from '../common/site.js';
import type { IdpUrls } from './context.js';

export const WELL_KNOWN_PATH = '/.well-known/web-identity';

/** One route: the IdpUrls member, and its path at the site's root, the issuer's, or under basePath. */
export interface IdpRoute {
  readonly name: keyof IdpUrls;
  /**
   * `site`: at the root of the IdP's registrable domain (FedCM §3.2 well-known file);
   * `issuer`: at the issuer's root; `base`: under the endpoints' base path.
   */
  readonly at: 'site' | 'issuer' | 'base';
  readonly path: string;
  /**
   * The methods the route answers; any other is a 405 whose `Allow` lists these (RFC 9110
   * §15.5.6). HEAD is not among them: the FedCM fetches are GETs and POSTs.
   */
  readonly methods: readonly ('GET' | 'POST')[];
}

export const IDP_ROUTES: readonly IdpRoute[] = Object.freeze([
  { name: 'wellKnown', at: 'site', path: WELL_KNOWN_PATH, methods: ['GET'] },
  { name: 'config', at: 'base', path: '/config.json', methods: ['GET'] },
  { name: 'accounts', at: 'base', path: '/accounts', methods: ['GET'] },
  { name: 'clientMetadata', at: 'base', path: '/client_metadata', methods: ['GET'] },
  { name: 'assertion', at: 'base', path: '/assertion', methods: ['POST'] },
  { name: 'disconnect', at: 'base', path: '/disconnect', methods: ['POST'] },
  { name: 'login', at: 'base', path: '/login', methods: ['GET', 'POST'] },
  { name: 'logout', at: 'base', path: '/logout', methods: ['GET', 'POST'] },
  { name: 'continue', at: 'base', path: '/continue', methods: ['GET', 'POST'] },
  { name: 'jwks', at: 'base', path: '/jwks.json', methods: ['GET'] },
  // OpenID Connect Discovery 1.0 §4: `<issuer>/.well-known/openid-configuration`.
  { name: 'openidConfiguration', at: 'issuer', path: '/.well-known/openid-configuration', methods: ['GET'] },
] as const);

/**
 * The IdP's URLs for an issuer and a base path. The browser fetches the well-known file at the
 * root of the registrable domain, port dropped, except on localhost, where Chromium keeps the
 * config URL's port (fedcm-spec-checklist §1.4).
 */
export function idpUrls(issuerUrl: URL, basePath: string): IdpUrls {
  const issuer = issuerUrl.href.replace(/\/+$/, '');
  const base = issuer + (basePath === '/' ? '' : basePath);
  const site = isLocalhost(issuerUrl.hostname) ? issuerUrl.origin : `${issuerUrl.protocol}//${registrableDomain(issuerUrl.hostname)}`;
  const urls = {} as IdpUrls;
  for (const route of IDP_ROUTES) {
    urls[route.name] = (route.at === 'site' ? site : route.at === 'issuer' ? issuer : base) + route.path;
  }
  return urls;
}
