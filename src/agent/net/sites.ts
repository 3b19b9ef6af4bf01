// Sites and origins for the fetcher's per-request decisions (Sec-Fetch-Site, SameSite cookies),
// memoized. Every credentialed request needs the site of its URL, of its site for cookies and of
// its initiator several times over; each is a Public Suffix List lookup (tldts), and a string
// initiator is a URL parse first. A request's hosts come from a handful of origins, so a small
// table answers almost every lookup. The answers are common/site.ts's, unchanged.
import { isSameOrigin, siteOf } from '../../common/site.js';

const TUPLE_ORIGIN_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);

/** Past this many entries the table starts again (a crawler-like agent visiting many hosts). */
const MAX_ENTRIES = 512;
const byString = new Map<string, string>();
const byUrl = new Map<string, string>();

function remember(table: Map<string, string>, key: string, value: string): string {
  if (table.size >= MAX_ENTRIES) table.clear();
  table.set(key, value);
  return value;
}

/** HTML "obtain a site" (common/site.ts siteOf), memoized on the scheme and host it depends on. */
export function siteOfCached(value: URL | string): string {
  if (typeof value === 'string') return byString.get(value) ?? remember(byString, value, siteOf(value));
  const key = value.protocol + value.hostname;
  return byUrl.get(key) ?? remember(byUrl, key, siteOf(value));
}

/** HTML "same site" (common/site.ts isSameSite), through the memo. */
export function isSameSiteCached(a: URL | string, b: URL | string): boolean {
  const sa = siteOfCached(a);
  return sa !== 'null' && sa === siteOfCached(b);
}

/** HTML "same origin" for a serialized origin (or URL) and a URL. */
export function isSameOriginFast(a: URL | string, b: URL): boolean {
  // A string that is the URL's own serialized origin is the common case (the initiator); it
  // needs no parse. Anything else takes common/site.ts's path.
  if (typeof a === 'string' && a === b.origin && TUPLE_ORIGIN_SCHEMES.has(b.protocol)) return true;
  return isSameOrigin(a, b);
}
