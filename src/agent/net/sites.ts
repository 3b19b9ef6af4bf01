// Sites and origins for the fetcher's per-request decisions (Sec-Fetch-Site, SameSite cookies),
// memoized. Every credentialed request needs the site of its URL, of its site for cookies and of
// its initiator several times over; each is a Public Suffix List lookup (tldts), and a string
// initiator is a URL parse first. A request's hosts come from a handful of origins, so a small
// table answers almost every lookup. The answers are common/site.ts's, unchanged.
import { memoized } from '../../common/memo.js';
import { isSameOrigin, originOf, serializeOrigin, siteOf } from '../../common/site.js';

const TUPLE_ORIGIN_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);

/** Past this many entries a table starts again (a crawler-like agent visiting many hosts). */
const MAX_ENTRIES = 512;
const siteOfString = memoized((value: string) => siteOf(value), MAX_ENTRIES);
const siteOfUrl = memoized((value: URL) => siteOf(value), MAX_ENTRIES, (value) => value.protocol + value.hostname);
/**
 * The site last worked out for a URL object, with the href it had then: the same URL objects
 * (a config's endpoints, the page's URL) come back on every request, and the href check (a
 * string kept by the URL) is cheaper than the scheme and host the table's key is made of. A URL
 * changed since (URLs are mutable) has another href and is looked up again.
 */
const siteOfObject = new WeakMap<URL, { href: string; site: string }>();

/** HTML "obtain a site" (common/site.ts siteOf), memoized on the scheme and host it depends on. */
export function siteOfCached(value: URL | string): string {
  if (typeof value === 'string') return siteOfString(value);
  const href = value.href;
  const known = siteOfObject.get(value);
  if (known !== undefined && known.href === href) return known.site;
  const site = siteOfUrl(value);
  siteOfObject.set(value, { href, site });
  return site;
}

/** HTML "same site" (common/site.ts isSameSite), through the memo. */
export function isSameSiteCached(a: URL | string, b: URL | string): boolean {
  const sa = siteOfCached(a);
  return sa !== 'null' && sa === siteOfCached(b);
}

/** common/site.ts's originOf for strings, memoized. */
const originOfString = memoized((value: string): string => originOf(value), MAX_ENTRIES);

/** HTML "same origin" for a serialized origin (or URL) and a URL. */
export function isSameOriginFast(a: URL | string, b: URL): boolean {
  // A string that is the URL's own serialized origin is the common case (the initiator); it
  // needs no parse. Another string (a cross-origin initiator: the RP's origin for every IdP
  // request) is parsed once for all requests. A URL takes common/site.ts's path.
  if (typeof a !== 'string') return isSameOrigin(a, b);
  if (a === b.origin && TUPLE_ORIGIN_SCHEMES.has(b.protocol)) return true;
  const origin = originOfString(a);
  return origin !== 'null' && origin === serializeOrigin(b);
}
