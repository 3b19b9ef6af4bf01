// Origins and sites, computed the way Chromium computes them.
//
// Every party needs these: the agent to decide Sec-Fetch-Site and SameSite cookies, the FedCM
// algorithm for its same-origin / same-site rules, the IdP kit to check Origin headers.
import { isIP } from 'node:net';
import { getDomain } from 'tldts';

/** Schemes whose URLs have a tuple origin (URL Standard §4.7 "origin"); everything else is opaque. */
const TUPLE_ORIGIN_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);

/**
 * The ASCII serialization of the URL's origin (HTML "serialization of an origin"):
 * `scheme://host[:port]` with the default port dropped, or `'null'` for an opaque origin
 * (anything that is not http(s)/ws(s)).
 */
export function serializeOrigin(url: URL): string {
  return TUPLE_ORIGIN_SCHEMES.has(url.protocol) ? url.origin : 'null';
}

/** Strips the brackets URL.hostname puts around an IPv6 literal, and one trailing dot. */
function bareHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/**
 * Chromium `net::IsLocalhost` (net/base/url_util.cc): `localhost`, `*.localhost` (with or without
 * a trailing dot), 127.0.0.0/8 and `::1`. Accepts a host as URL.hostname gives it (`[::1]`).
 */
export function isLocalhost(host: string): boolean {
  const h = bareHost(host);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const kind = isIP(h);
  if (kind === 4) return h.split('.')[0] === '127';
  if (kind === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * The registrable domain (eTLD+1) of a host, Chromium style: `GetDomainAndRegistry` with
 * `INCLUDE_PRIVATE_REGISTRIES` (so `alice.github.io` is its own site) and unknown TLDs treated as
 * one-label registries (so `idp.example` and `rp.example` are different sites). Hosts that have
 * no registrable domain (IP addresses, `localhost`, single labels, a bare public suffix such as
 * `github.io`) are their own site, as in Chromium's `SchemefulSite`. The result is lower-cased;
 * an IPv6 literal keeps the brackets URL.hostname gives it.
 */
export function registrableDomain(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[') || isIP(lower) !== 0) return lower;
  return getDomain(lower, { allowPrivateDomains: true }) ?? lower;
}

function toURL(value: URL | string): URL | null {
  if (value instanceof URL) return value;
  if (value === 'null') return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/**
 * The schemeful site (HTML "obtain a site", Chromium `net::SchemefulSite`): `scheme://` plus the
 * registrable domain; ports are ignored. `'null'` for opaque origins and unparsable input.
 */
export function siteOf(url: URL | string): string {
  const u = toURL(url);
  if (u === null || !TUPLE_ORIGIN_SCHEMES.has(u.protocol)) return 'null';
  return `${u.protocol}//${registrableDomain(u.hostname)}`;
}

/** HTML "same site": equal schemeful sites. Opaque origins are same-site with nothing. */
export function isSameSite(a: URL | string, b: URL | string): boolean {
  const sa = siteOf(a);
  return sa !== 'null' && sa === siteOf(b);
}

/** A URL's (or URL string's) serialized origin; 'null' for an opaque origin or unparsable input. */
export function originOf(value: URL | string): string {
  const u = toURL(value);
  return u === null ? 'null' : serializeOrigin(u);
}

/** HTML "same origin" on tuple origins. Opaque origins are same-origin with nothing here. */
export function isSameOrigin(a: URL | string, b: URL | string): boolean {
  const oa = originOf(a);
  return oa !== 'null' && oa === originOf(b);
}

/**
 * Chromium `network::IsUrlPotentiallyTrustworthy` (services/network/public/cpp/is_potentially_trustworthy.cc),
 * Secure Contexts §3.1: https and wss; http and ws on localhost, `*.localhost`, 127.0.0.0/8 and
 * `[::1]`. Deliberately narrower than Chromium for the agent's purposes: `file:`, `data:`,
 * `about:blank` and `about:srcdoc` are not trustworthy here (they never host FedCM parties), and
 * there is no `--unsafely-treat-insecure-origin-as-secure` allowlist.
 */
export function isPotentiallyTrustworthy(url: URL): boolean {
  if (url.protocol === 'https:' || url.protocol === 'wss:') return true;
  if (url.protocol === 'http:' || url.protocol === 'ws:') return isLocalhost(url.hostname);
  return false;
}
