// Origin-bound one-time codes (WICG sms-one-time-codes, which WebOTP §3.1 uses for SMS):
// parsing a message's last line "@top.example #123456 [@embedded.example]", and deciding whether
// a code may be given to a document.

import { isSameSite, serializeOrigin } from '../../common/site.js';

/** sms-one-time-codes §2: (top-level origin, embedded origin or null, code). Origins serialized. */
export interface OriginBoundOneTimeCode {
  topLevelOrigin: string;
  embeddedOrigin: string | null;
  code: string;
}

/** Infra "ASCII whitespace". */
const isAsciiWhitespace = (c: string): boolean => c === '\t' || c === '\n' || c === '\f' || c === '\r' || c === ' ';

/**
 * sms-one-time-codes §4.2 "parse an origin-bound one-time code message". Returns null on failure.
 * Only the last line counts; explanatory text may come before it, trailing text after the
 * fields is ignored, and exactly one space separates the fields.
 */
export function parseOriginBoundOneTimeCode(message: string): OriginBoundOneTimeCode | null {
  // "last line": normalize newlines, strictly split on LF, take the last item.
  const lines = message.replace(/\r\n/g, '\n').replace(/\r/g, '\n').split('\n');
  const line = lines[lines.length - 1] ?? '';
  const position = { at: 0 };
  const topLevelHost = extractMarkedToken(line, position, '@');
  if (topLevelHost === null) return null;
  const topLevelOrigin = httpsOrigin(topLevelHost);
  if (topLevelOrigin === null) return null;
  if (position.at >= line.length || line[position.at] !== ' ') return null;
  position.at++;
  if (position.at >= line.length) return null;
  const code = extractMarkedToken(line, position, '#');
  if (code === null) return null;
  let embeddedOrigin: string | null = null;
  if (position.at < line.length && line[position.at] === ' ') {
    position.at++;
    const embeddedHost = extractMarkedToken(line, position, '@');
    embeddedOrigin = embeddedHost === null ? null : httpsOrigin(embeddedHost);
  }
  return { topLevelOrigin, embeddedOrigin, code };
}

/** sms-one-time-codes §4.2 "extract a marked token". Advances `position`. */
function extractMarkedToken(line: string, position: { at: number }, marker: '@' | '#'): string | null {
  if (position.at >= line.length || line[position.at] !== marker) return null;
  position.at++;
  if (position.at >= line.length) return null;
  const start = position.at;
  while (position.at < line.length && !isAsciiWhitespace(line[position.at] ?? ' ')) position.at++;
  const token = line.slice(start, position.at);
  return token === '' ? null : token;
}

/**
 * The origin ("https", host, null, null): the token must be a host and nothing else. The URL
 * parser would read a port, a path or credentials out of "@", ":", "/", "\\", "?" or "#"; a
 * token with any of them is not a host.
 */
function httpsOrigin(host: string): string | null {
  if (/[/\\?#@:]/.test(host) || !URL.canParse(`https://${host}/`)) return null;
  return serializeOrigin(new URL(`https://${host}/`));
}

/**
 * sms-one-time-codes §3 "Usage": "origin", "site", or null (do not assist). `documentOrigin` is
 * the document's; `ancestors` are its ancestors' origins, nearest first (the last is the top).
 */
export function matchOneTimeCode(otc: OriginBoundOneTimeCode, documentOrigin: string, ancestors: readonly string[]): 'origin' | 'site' | null {
  if (documentOrigin === 'null') return null;
  if (ancestors.length === 0) {
    if (otc.embeddedOrigin !== null) return null;
    if (otc.topLevelOrigin === documentOrigin) return 'origin';
    return isSameSite(otc.topLevelOrigin, documentOrigin) ? 'site' : null;
  }
  const embedded = otc.embeddedOrigin;
  if (embedded === null) return null;
  let matchType: 'origin' | 'site' = embedded === documentOrigin ? 'origin' : 'site';
  if (!isSameSite(embedded, documentOrigin)) return null;
  const top = ancestors[ancestors.length - 1] ?? 'null';
  for (const origin of ancestors.slice(0, -1)) {
    if (origin !== embedded && origin !== otc.topLevelOrigin) matchType = 'site';
    if (!isSameSite(origin, embedded) && !isSameSite(origin, otc.topLevelOrigin)) return null;
  }
  if (top === otc.topLevelOrigin) return matchType;
  return isSameSite(top, otc.topLevelOrigin) ? 'site' : null;
}
