// "Extract the JSON" from a FedCM endpoint response, in the order Chromium classifies failures
// (content/browser/webid/network_request_manager.cc GetResponseError / OnDownloadedJson):
// 404 → other non-2xx → MIME type → UTF-8 + strict JSON → root must be an object.
import { memoized } from '../../common/memo.js';
import type { AgentResponse } from './types.js';

export type JsonFailureKind = 'http-not-found' | 'no-response' | 'invalid-content-type' | 'invalid-json' | 'not-an-object';

export type JsonResult =
  | { ok: true; value: unknown }
  | { ok: false; kind: JsonFailureKind; message: string };

export interface ParseJsonOptions {
  /** Require the top-level value to be a JSON object (not an array, string, null...). Default true. */
  requireObject?: boolean;
  /**
   * Parse the body whatever the status, skipping the 404 and non-2xx checks (the caller looks
   * at the status itself). Chromium does this for the ID assertion endpoint, whose error
   * responses carry `{"error": {...}}` (IdpNetworkRequestManager::SendTokenRequest).
   */
  allowNon2xx?: boolean;
}

const ALLOWED = 'application/json, text/json, or a type ending in +json';

/** RFC 9110 token characters (MIME Sniffing's "HTTP token code points"). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * MIME Sniffing §4.4 "parse a MIME type", reduced to the essence (parameters are ignored).
 * Returns the lower-cased `type/subtype`, or null on failure.
 */
function parseEssence(input: string): string | null {
  const text = input.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  const slash = text.indexOf('/');
  if (slash <= 0) return null;
  const type = text.slice(0, slash);
  const semicolon = text.indexOf(';', slash + 1);
  const subtype = (semicolon === -1 ? text.slice(slash + 1) : text.slice(slash + 1, semicolon)).replace(/[\t\n\r ]+$/, '');
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return null;
  return `${type}/${subtype}`.toLowerCase();
}

/** Splits a combined header value on commas outside double quotes (Fetch "get, decode, and split"). */
function splitValues(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] ?? '';
    if (ch === '"') quoted = !quoted;
    else if (ch === '\\' && quoted && i + 1 < value.length) {
      current += ch + (value[i + 1] ?? '');
      i++;
      continue;
    } else if (ch === ',' && !quoted) {
      out.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  out.push(current);
  return out;
}

/**
 * Fetch §3.1.7 "extract a MIME type" (essence only): of the comma-separated Content-Type values,
 * the last one that parses and is not `*\/*`. Null when there is none.
 */
export function extractMimeEssence(contentType: string | null | undefined): string | null {
  if (contentType === null || contentType === undefined) return null;
  let essence: string | null = null;
  for (const value of splitValues(contentType)) {
    const parsed = parseEssence(value);
    if (parsed === null || parsed === '*/*') continue;
    essence = parsed;
  }
  return essence;
}

/**
 * MIME Sniffing §4.6 "JSON MIME type": a subtype ending in `+json`, or the essence
 * `application/json` or `text/json`. Parameters are ignored, case does not matter.
 * (Chromium blink::IsJSONMimeType.)
 */
export function isJsonMimeType(contentType: string | null | undefined): boolean {
  return contentType !== null && contentType !== undefined && isJsonType(contentType);
}

// Every response of an IdP carries the same one or two Content-Type values, and parsing one
// (split on commas outside quotes, trim, two token checks) cost more than JSON.parse of a small
// body: the answer, a pure function of the string, is kept.
const isJsonType = memoized((contentType: string): boolean => {
  const essence = extractMimeEssence(contentType);
  return essence !== null && (essence === 'application/json' || essence === 'text/json' || essence.endsWith('+json'));
}, 64);

/** "UTF-8 decode" with errors fatal; decode() without `stream` starts afresh each call, so one serves all. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Chromium's base::JSONReader depth limit (base/json/json_common.h kAbsoluteMaxDepth = 200).
 * FedCM parses every endpoint response with it (data_decoder ParseJson, JSON_PARSE_RFC), and a
 * document reaching this many nested arrays/objects (the root counts) is refused: measured with
 * Chromium 156 (test/differential, "limits: config nested 199/200 deep"), a config of 199 nested
 * containers is accepted and one of 200 fails with ConfigInvalidResponse.
 */
export const MAX_JSON_DEPTH = 200;

/**
 * Whether the text holds at least `max` opening brackets (`[` or `{`), inside strings or not:
 * fewer cannot nest `max` deep. A few indexOf jumps (one per bracket, and a FedCM body has tens)
 * instead of the per-character scan below, which every endpoint response paid: on a sign-in's
 * four bodies, 0.8 µs against 5.2 µs in baseline code (node --no-opt --always-sparkplug: the
 * bench's agent runs mostly below TurboFan), 2.0 against 13.0 µs interpreted (issue 15 §3).
 */
function hasOpenings(text: string, max: number): boolean {
  let count = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++count >= max) return true;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++count >= max) return true;
  return false;
}

/**
 * The position at which the text's array/object nesting first reaches `max`, or -1. A single
 * pass that skips string contents (escapes included), so it needs no parse and no recursion;
 * JSON.parse still judges validity afterwards. Brackets outside strings in invalid JSON are
 * counted too, which only matters for text JSON.parse would refuse anyway.
 */
export function nestingExceeds(text: string, max: number = MAX_JSON_DEPTH): number {
  if (!hasOpenings(text, max)) return -1;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Jump to the closing quote: indexOf is much faster than a per-character loop on long strings.
      let j = text.indexOf('"', i + 1);
      while (j !== -1) {
        let backslashes = 0;
        for (let k = j - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
        if (backslashes % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (j === -1) return -1; // unterminated string: JSON.parse reports it
      i = j;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth >= max) return i;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return -1;
}

function describeRoot(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** A body read as JSON text, or the failure that came before any parse. */
export type JsonTextResult = { ok: true; text: string } | { ok: false; kind: JsonFailureKind; message: string };

/**
 * The checks Chromium makes before it parses an endpoint's body: 404 → `http-not-found`; other
 * non-2xx → `no-response` (unless `allowNon2xx`); not a JSON MIME type → `invalid-content-type`;
 * bad UTF-8 → `invalid-json`. The text, when they pass.
 */
export function jsonText(res: Pick<AgentResponse, 'status' | 'headers' | 'body'>, options: ParseJsonOptions = {}): JsonTextResult {
  if (options.allowNon2xx !== true) {
    if (res.status === 404) {
      return { ok: false, kind: 'http-not-found', message: 'the response status is 404 (Not Found)' };
    }
    if (res.status < 200 || res.status > 299) {
      return {
        ok: false,
        kind: 'no-response',
        message: `a ${res.status} HTTP response code was received; only 2xx responses are read`,
      };
    }
  }
  const contentType = res.headers.get('content-type');
  if (!isJsonMimeType(contentType)) {
    return {
      ok: false,
      kind: 'invalid-content-type',
      message:
        contentType === null
          ? `the response has no Content-Type header; it must be a JSON MIME type (${ALLOWED})`
          : `the Content-Type is "${contentType}"; it must be a JSON MIME type (${ALLOWED})`,
    };
  }
  try {
    // Fetch "UTF-8 decode" strips a leading BOM; invalid sequences fail, as with Chromium's RFC parser.
    return { ok: true, text: UTF8.decode(res.body) };
  } catch {
    return { ok: false, kind: 'invalid-json', message: 'the body is not valid UTF-8' };
  }
}

/**
 * Parses JSON text as Chromium parses an endpoint's body (RFC 8259, as JSON.parse):
 * `invalid-json` for bad JSON or nesting {@link MAX_JSON_DEPTH} deep or more, `not-an-object`
 * for a root that is not an object (unless `requireObject` is false).
 */
export function parseJsonText(text: string, options: Pick<ParseJsonOptions, 'requireObject'> = {}): JsonResult {
  // Before JSON.parse, so a hostile 100,000-deep body costs one linear scan and no deep tree.
  const tooDeep = nestingExceeds(text);
  if (tooDeep !== -1) {
    return {
      ok: false,
      kind: 'invalid-json',
      message: `the body is not valid JSON: it is nested ${MAX_JSON_DEPTH} levels deep or more (at character ${tooDeep}), past Chromium's base::JSONReader limit`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, kind: 'invalid-json', message: `the body is not valid JSON: ${detail}` };
  }
  if ((options.requireObject ?? true) && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    return {
      ok: false,
      kind: 'not-an-object',
      message: `the body is JSON but its top-level value is ${describeRoot(value)}, not an object`,
    };
  }
  return { ok: true, value };
}

/**
 * Parses a FedCM endpoint's JSON body the way Chromium does, reporting the first failure:
 * jsonText()'s checks, then parseJsonText()'s.
 */
export function parseJsonResponse(res: Pick<AgentResponse, 'status' | 'headers' | 'body'>, options: ParseJsonOptions = {}): JsonResult {
  const text = jsonText(res, options);
  return text.ok ? parseJsonText(text.text, options) : text;
}
