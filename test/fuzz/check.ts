// The oracles: what must hold of the IdP's answer to any request, however malformed. Beyond
// "no 5xx, no hang, an answer" they check what the kit promises of every answer: a 405 names the
// route's methods in `Allow`, the FedCM endpoints answer only FedCM fetches, and credentialed
// CORS is given only to the registered origin that asked.

import type { IdpRoute } from '../../src/idp/index.js';
import type { FuzzCase } from './generate.js';
import { headersOf } from './request.js';
import { IDP_ORIGIN, OTHER_CLIENT, RP_ORIGIN } from './target.js';
import { header, type WireResult } from './wire.js';

/** The six endpoints a browser fetches with `Sec-Fetch-Dest: webidentity`, and nobody else may use. */
const FEDCM_ONLY: ReadonlySet<string> = new Set(['wellKnown', 'config', 'accounts', 'clientMetadata', 'assertion', 'disconnect']);
const CREDENTIALED_CORS: ReadonlySet<string> = new Set(['assertion', 'disconnect']);
const PUBLIC_CORS: ReadonlySet<string> = new Set(['jwks', 'openidConfiguration']);
const REGISTERED_ORIGINS: ReadonlySet<string> = new Set([RP_ORIGIN, ...OTHER_CLIENT.origins]);

/** The path the server sees for a request-target (as the node:http adapter builds its URL), if any. */
export function serverPath(target: string): string | undefined {
  try {
    if (target.startsWith('/')) return new URL(IDP_ORIGIN + target).pathname;
    if (target === '*') return '/*';
    const url = new URL(target);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.pathname : undefined;
  } catch {
    return undefined;
  }
}

/** What a case's answer was, in one word for the tables: the status, or how it failed to come. */
export function outcome(result: WireResult): string {
  return result.kind === 'response' ? String(result.response.status) : result.kind;
}

/** Every broken promise in the answer to `c` (none: the answer is fine). */
export function judge(c: FuzzCase, result: WireResult, routeAt: (pathname: string) => IdpRoute | undefined): string[] {
  const problems: string[] = [];
  if (result.kind === 'timeout') return [`no answer, and the connection still open, after ${result.ms} ms: the server hangs`];
  if (result.kind !== 'response') {
    // A client that sent less than it announced and gave up, or more than one request's worth of
    // bytes, may get no answer; anyone else must.
    if (c.partial || c.followed) return [];
    return [`the connection ${result.kind === 'closed' ? 'closed' : `failed (${result.message})`} without an answer after ${result.ms} ms${result.received.length > 0 ? ` (received ${JSON.stringify(result.received.subarray(0, 200).toString('latin1'))})` : ''}`];
  }
  const { response } = result;
  const { status } = response;
  if (status >= 500 || status < 100) problems.push(`answered ${status} ${response.reason}: ${response.body.subarray(0, 500).toString('utf8')}`);
  const path = serverPath(c.target);
  const route = path === undefined ? undefined : routeAt(path);
  const allow = header(response, 'allow');
  if (status === 405) {
    if (allow === undefined) problems.push('a 405 without Allow (RFC 9110 §15.5.6)');
    else if (c.method === 'CONNECT') {
      if (allow !== '') problems.push(`CONNECT answered 405 with Allow ${JSON.stringify(allow)}, expected an empty Allow`);
    } else if (route !== undefined && allow !== route.methods.join(', ')) {
      problems.push(`a 405 from ${route.name} with Allow ${JSON.stringify(allow)}, expected ${JSON.stringify(route.methods.join(', '))}`);
    }
  }
  if (status >= 200 && status < 300 && route !== undefined) {
    if (FEDCM_ONLY.has(route.name)) {
      const dests = headersOf(c, 'sec-fetch-dest');
      if (dests.length !== 1 || dests[0]!.trim() !== 'webidentity') problems.push(`${route.name} answered ${status} to a request with Sec-Fetch-Dest ${JSON.stringify(dests)}`);
    }
    if (CREDENTIALED_CORS.has(route.name)) {
      const origins = headersOf(c, 'origin');
      const acao = header(response, 'access-control-allow-origin');
      if (origins.length !== 1 || acao !== origins[0]!.trim() || !REGISTERED_ORIGINS.has(acao)) {
        problems.push(`${route.name} answered ${status} with Access-Control-Allow-Origin ${JSON.stringify(acao)} to Origin ${JSON.stringify(origins)}`);
      }
      if (header(response, 'access-control-allow-credentials') !== 'true') problems.push(`${route.name} answered ${status} without Access-Control-Allow-Credentials: true`);
    }
  }
  const acao = header(response, 'access-control-allow-origin');
  if (acao === '*' && !(route !== undefined && PUBLIC_CORS.has(route.name))) problems.push(`Access-Control-Allow-Origin: * on ${path ?? c.target}`);
  return problems;
}
