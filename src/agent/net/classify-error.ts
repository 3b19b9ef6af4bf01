// A failed request's error, said as the agent's NetError: Node's and undici's error codes (on the
// error and its causes) sorted into DNS, TLS, timeout and connection failures, each with a message
// that names the host rule the connection went through and what to do about it.

import type { HostRules } from '../../common/host-rules.js';
import { InProcessHandlerError } from './in-process.js';
import { NetError } from './types.js';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'INVALID_CA', 'HOSTNAME_MISMATCH', 'CERT_CHAIN_TOO_LONG', 'INVALID_PURPOSE', 'PATH_LENGTH_EXCEEDED',
]);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);


/** The error codes on an error and its causes (undici and Node nest them). */
export function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function effectivePort(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/**
 * Maps a Node or undici error of a request to `url` to a NetError whose message says what to do
 * (the host rule the connection went through, if any, named).
 */
export function classifyError(err: unknown, url: URL, timeoutMs: number, hostRules: HostRules): NetError {
  const codes = errorCodes(err);
  const code = codes[0] ?? 'unknown';
  const detail = `${errorMessage(err)}${code === 'unknown' ? '' : ` (${code})`}`;
  const host = url.hostname;
  const port = effectivePort(url);
  const mapped = hostRules.resolve(host, port);
  const via = mapped === null ? '' : ` (mapped to ${mapped.host}:${mapped.port} by a host rule)`;
  const has = (set: Set<string>): boolean => codes.some((c) => set.has(c));

  // In-process: the handler's failure, said as it is (no socket, so no host rule was involved).
  if (err instanceof InProcessHandlerError) {
    return new NetError('connection', url, `the request to ${url.href} failed as a reset connection would: ${err.message}`, { cause: err });
  }

  if (has(DNS_CODES)) {
    const message =
      mapped === null
        ? `could not resolve ${host}; add a host rule such as { '${host}:${port}': '127.0.0.1:PORT' }`
        : `could not resolve ${mapped.host}, the target of the host rule for ${host}:${port}`;
    return new NetError('dns', url, message, { cause: err });
  }
  if (has(CERT_CODES)) {
    return new NetError(
      'tls',
      url,
      `the certificate of ${host} is not trusted: ${detail}; pass \`ca\` with your test CA or \`insecureTLS: true\``,
      { cause: err },
    );
  }
  if (codes.some((c) => c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_') || c === 'EPROTO')) {
    return new NetError('tls', url, `the TLS handshake with ${host}:${port}${via} failed: ${detail}`, { cause: err });
  }
  if (has(TIMEOUT_CODES)) {
    return new NetError('timeout', url, `the request to ${url.href}${via} timed out (${timeoutMs} ms): ${detail}`, { cause: err });
  }
  if (has(CONNECTION_CODES)) {
    return new NetError('connection', url, `the connection to ${host}:${port}${via} failed: ${detail}`, { cause: err });
  }
  return new NetError('connection', url, `the request to ${url.href}${via} failed: ${detail}`, { cause: err });
}
