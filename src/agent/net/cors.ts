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
