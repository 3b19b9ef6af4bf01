// Fetch's syntax of a header line, as `Headers` checks and stores it: what a name may be (an
// RFC 9110 token), which values it refuses, and the whitespace it strips. Shared by the kit's
// light path (light-http.ts), which must accept and refuse exactly what a `Headers` would, and
// by the agent's WireHeaders, which answers as a filled `Headers` would.

import { memoized } from './memo.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[\0\r\n]/;

/**
 * Fetch "header name" (RFC 9110 token): what `Headers` accepts as a name. Remembered per name:
 * a client sends the same dozen names on every request, and the regular expression was the
 * larger part of reading them (bounded: a client inventing names starts the table again).
 */
export const isHeaderName = memoized((name: string): boolean => TOKEN.test(name), 256);

/** Fetch "header value": a value `Headers.append` refuses (NUL, CR or LF in it). */
export function isInvalidHeaderValue(value: string): boolean {
  return INVALID_VALUE.test(value);
}

/** HTTP whitespace (Fetch §"normalize"): tab, LF, CR, space. */
function isHttpWhitespace(code: number): boolean {
  return code === 0x09 || code === 0x0a || code === 0x0d || code === 0x20;
}

/** True when normalizeHeaderValue(value) is value itself (no HTTP whitespace at either end). */
export function isNormalizedHeaderValue(value: string): boolean {
  return value.length === 0 || (!isHttpWhitespace(value.charCodeAt(0)) && !isHttpWhitespace(value.charCodeAt(value.length - 1)));
}

/** Fetch "normalize": HTTP whitespace stripped from both ends; no regex run for a value that has none. */
export function normalizeHeaderValue(value: string): string {
  return isNormalizedHeaderValue(value) ? value : value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
}
