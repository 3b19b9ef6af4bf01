// The Fetch CORS check, for the agent's CORS-mode requests (FedCM ID assertion and disconnect).
import type { AgentResponse } from './types.js';
import type { CredentialsMode } from './types.js';

export type CorsResult = { ok: true } | { ok: false; message: string };

/**
 * Fetch §4.9 "CORS check": Access-Control-Allow-Origin must be exactly the request's serialized
 * origin (`*` only passes without credentials), and with credentials
 * Access-Control-Allow-Credentials must be exactly `true`. Header values are compared byte for
 * byte after Fetch's whitespace trimming; a repeated header combines into a list and fails.
 */
export function checkCors(
  res: Pick<AgentResponse, 'headers'>,
  requestOrigin: string,
  credentials: CredentialsMode,
): CorsResult {
  const allowOrigin = res.headers.get('access-control-allow-origin');
  if (allowOrigin === null) {
    return { ok: false, message: `the response has no Access-Control-Allow-Origin header (it must be ${requestOrigin})` };
  }
  if (allowOrigin === '*') {
    if (credentials !== 'include') return { ok: true };
    return {
      ok: false,
      message: `Access-Control-Allow-Origin is * but the request carries credentials; it must be ${requestOrigin}`,
    };
  }
  if (allowOrigin !== requestOrigin) {
    const several = allowOrigin.includes(',');
    return {
      ok: false,
      message: several
        ? `Access-Control-Allow-Origin has several values (${allowOrigin}); it must be exactly one, ${requestOrigin}`
        : `Access-Control-Allow-Origin is ${allowOrigin}; it must be ${requestOrigin}`,
    };
  }
  if (credentials !== 'include') return { ok: true };
  const allowCredentials = res.headers.get('access-control-allow-credentials');
  if (allowCredentials === null) {
    return { ok: false, message: 'Access-Control-Allow-Credentials is missing; it must be `true`' };
  }
  if (allowCredentials !== 'true') {
    return { ok: false, message: `Access-Control-Allow-Credentials is ${allowCredentials}; it must be \`true\`` };
  }
  return { ok: true };
}

/** Fetch §3.2.2 "CORS-safelisted method". */
const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST']);
/** Fetch §3.2.2 "CORS-safelisted request-header" (with its Content-Type values). */
const SAFELISTED_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/**
 * The headers of a request that make it need a CORS preflight (Fetch §4.8 "CORS-preflight
 * fetch" conditions): anything but Accept, Accept-Language, Content-Language, and a safelisted
 * Content-Type. Sorted and lower-cased, as Access-Control-Request-Headers carries them.
 */
export function unsafeRequestHeaders(headers: Readonly<Record<string, string>>): string[] {
  const unsafe: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    if (n === 'accept' || n === 'accept-language' || n === 'content-language' || n === 'origin') continue;
    if (n === 'content-type' && SAFELISTED_CONTENT_TYPES.has(value.split(';')[0]?.trim().toLowerCase() ?? '')) continue;
    unsafe.push(n);
  }
  return unsafe.sort();
}

/** Whether a cross-origin request needs a preflight first. */
export function needsPreflight(method: string, headers: Readonly<Record<string, string>>): boolean {
  return !SAFELISTED_METHODS.has(method) || unsafeRequestHeaders(headers).length > 0;
}

/**
 * Fetch §4.8 steps after the preflight response: an ok status, the CORS check, and the method and
 * headers allowed by Access-Control-Allow-Methods / -Headers (`*` only without credentials).
 */
export function checkPreflight(
  res: Pick<AgentResponse, 'headers' | 'status'>,
  requestOrigin: string,
  credentials: CredentialsMode,
  method: string,
  headerNames: string[],
): CorsResult {
  if (res.status < 200 || res.status > 299) return { ok: false, message: `the preflight (OPTIONS) answered ${res.status}; it must answer 2xx` };
  const cors = checkCors(res, requestOrigin, credentials);
  if (!cors.ok) return { ok: false, message: `the preflight failed the CORS check: ${cors.message}` };
  const list = (name: string): string[] =>
    (res.headers.get(name) ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const methods = list('access-control-allow-methods');
  const wildcard = credentials !== 'include';
  if (!SAFELISTED_METHODS.has(method) && !methods.includes(method) && !(wildcard && methods.includes('*'))) {
    return { ok: false, message: `Access-Control-Allow-Methods (${methods.join(', ') || 'missing'}) does not allow ${method}` };
  }
  const allowed = list('access-control-allow-headers').map((h) => h.toLowerCase());
  for (const h of headerNames) {
    if (!allowed.includes(h) && !(wildcard && allowed.includes('*'))) {
      return { ok: false, message: `Access-Control-Allow-Headers (${allowed.join(', ') || 'missing'}) does not allow ${h}` };
    }
  }
  return { ok: true };
}
