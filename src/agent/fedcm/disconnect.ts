// FedCM §2.2.2 IdentityCredential.disconnect(): the RP tells the IdP to forget the connection
// with an account, and the agent forgets it too. Mirrors Chromium's disconnect_request.cc.

import { isPotentiallyTrustworthy, isSameOrigin, serializeOrigin } from '../../common/site.js';
import { AbortState } from '../base/abort-state.js';
import type { AgentCore } from '../core.js';
import { domException, type DiagnosticInit } from '../base/diagnostics.js';
import { checkCors } from '../net/cors.js';
import { parseJsonResponse } from '../net/json.js';
import { NetError } from '../net/types.js';
import type { AgentDocument } from '../document/document.js';
import { fetchConfig } from './config.js';
import { createIdpNetwork, fetchEndpoint } from './idp-network.js';
import { FedCmFailure } from './failure.js';

export interface IdentityCredentialDisconnectOptions {
  configURL: string;
  clientId: string;
  accountHint: string;
}

/** Documents with a disconnect() in flight (Chromium allows one per document). */
const pending = new WeakSet<AgentDocument>();

/**
 * WebIDL conversion of IdentityCredentialDisconnectOptions (FedCM
 * #dictdef-identitycredentialdisconnectoptions), as Chromium declares it: IdentityProviderConfig's
 * members first (clientId, optional there; configURL, required), then accountHint (required).
 * Each missing required member is named with the dictionary that declares it. A missing clientId
 * passes conversion and is rejected right after, with Chromium's own words ("clientId is
 * required", identity_credential.cc, without the operation's prefix).
 */
function convert(options: unknown): IdentityCredentialDisconnectOptions {
  const d = (options ?? {}) as Record<string, unknown>;
  const out: Partial<IdentityCredentialDisconnectOptions> = {};
  const members = [
    ['clientId', 'IdentityProviderConfig', false],
    ['configURL', 'IdentityProviderConfig', true],
    ['accountHint', 'IdentityCredentialDisconnectOptions', true],
  ] as const;
  for (const [member, dictionaryName, required] of members) {
    const value = d[member];
    if (value === undefined) {
      if (!required) continue;
      throw new TypeError(`Failed to execute 'disconnect' on 'IdentityCredential': Failed to read the '${member}' property from '${dictionaryName}': Required member is undefined.`);
    }
    out[member] = String(value).toWellFormed();
  }
  if (out.clientId === undefined) throw new TypeError('clientId is required');
  return out as IdentityCredentialDisconnectOptions;
}

/**
 * FedCM #dom-identitycredential-disconnect (checklist §1.9), in Chromium's order
 * (disconnect_request.cc): convert; fully active; permissions policy; the provider; one call at
 * a time; a trustworthy config; a connection to forget; then the config, the credentialed CORS
 * POST to disconnect_endpoint, and the connections forgotten whatever the IdP answers.
 */
export async function disconnect(core: AgentCore, frame: AgentDocument, options: unknown): Promise<void> {
  const { configURL: configURLString, clientId, accountHint } = convert(options);
  if (!frame.fullyActive) throw new DOMException('The document is not fully active.', 'InvalidStateError');
  if (!frame.allowsFeature('identity-credentials-get')) {
    throw new DOMException("The 'identity-credentials-get' feature is not enabled in this document.", 'NotAllowedError');
  }
  // Chromium's renderer checks the URL only (identity_credential.cc); an empty clientId reaches
  // the browser, which fails the call like any other (checked with /usr/bin/chromium).
  if (!URL.canParse(configURLString)) throw new DOMException('configURL is invalid', 'InvalidStateError');
  const configURL = new URL(configURLString);
  const idp = serializeOrigin(configURL);
  const key = { embedder: frame.top.origin, rp: frame.origin, idp };
  const fail = (detail: string, message = 'Error disconnecting account.'): DOMException => {
    const diagnostic: DiagnosticInit = { reason: 'InvalidRequest', level: 'error', message, detail, configURL: configURL.href, endpoint: 'disconnect endpoint' };
    core.report(diagnostic);
    return domException({ message: 'Error disconnecting account.', name: 'NetworkError' }, diagnostic);
  };
  if (clientId === '') throw fail('clientId is empty: pass the client ID the IdP registered for this RP.');
  if (pending.has(frame)) throw fail('Call disconnect() again once the previous call has settled.', 'There is a pending disconnect() call.');
  if (!isPotentiallyTrustworthy(configURL)) throw fail(`${configURL.href} is not potentially trustworthy (use https).`);
  if (core.profile.connections(key).length === 0) {
    throw fail(`${frame.origin} has no account connected with ${idp} in this browser, so no request is made.`, 'There is no account to disconnect.');
  }
  pending.add(frame);
  try {
    const ctx = createIdpNetwork(core, frame, new AbortState());
    let config;
    try {
      config = await fetchConfig(ctx, configURL, { strictWellKnown: core.settings.strictWellKnown });
    } catch (e) {
      if (e instanceof FedCmFailure) throw fail(`${e.diagnostic.message} ${e.diagnostic.detail}`);
      throw e;
    }
    const endpoint = config.disconnectEndpoint;
    if (!endpoint || !isSameOrigin(endpoint, configURL)) {
      throw fail(
        `${configURL.href} has ${endpoint ? `a cross-origin "disconnect_endpoint" (${endpoint.href})` : 'no "disconnect_endpoint"'}; it must be on ${configURL.origin}.`,
        'Config is missing or has an invalid or cross-origin "disconnect_endpoint" URL.',
      );
    }
    // Form-encoded as Chromium 156 sends it (the differential golden "disconnect: after a
    // sign-in, by email hint": `account_hint=john_doe%40idp.example`).
    let res;
    try {
      res = await fetchEndpoint(ctx, 'disconnect endpoint', {
        url: endpoint,
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', origin: frame.origin },
        body: disconnectBody(clientId, accountHint),
        credentials: 'include',
        initiator: frame.origin,
        siteForCookies: endpoint,
        mode: 'cors',
        destination: 'webidentity',
        redirect: 'error',
      });
    } catch (e) {
      // The call's network budget ran out (fetchEndpoint): a network failure of this step, so
      // the connections are forgotten below as for any other.
      if (!(e instanceof FedCmFailure)) throw e;
      res = `${e.diagnostic.message} ${e.diagnostic.detail}`;
    }
    const problem = typeof res === 'string' ? res : disconnectProblem(res, frame.origin);
    if (typeof problem === 'string') {
      // Any failure still forgets every connection of this RP with this IdP.
      core.profile.removeConnections(key);
      throw fail(`${endpoint.href}: ${problem}`, 'The disconnect request failed on the server');
    }
    const removed = core.profile.removeConnections({ ...key, accountId: problem.accountId });
    if (removed === 0) core.profile.removeConnections(key);
  } finally {
    pending.delete(frame);
  }
}

/** The disconnected account id, or what is wrong with the response. */
function disconnectProblem(res: Awaited<ReturnType<typeof fetchEndpoint>>, rpOrigin: string): { accountId: string } | string {
  if (res instanceof NetError) return res.message;
  const cors = checkCors(res, rpOrigin, 'include');
  if (!cors.ok) return `CORS check failed: ${cors.message}`;
  const json = parseJsonResponse(res);
  if (!json.ok) return json.message;
  const accountId = (json.value as Record<string, unknown>)['account_id'];
  if (typeof accountId !== 'string' || accountId === '') return 'the response has no "account_id" string';
  return { accountId };
}

/**
 * The disconnect request body. Chromium escapes both values with the query-parameter charmap
 * (base/strings/escape.cc EscapeQueryParamValue, use_plus): everything but ASCII letters, digits
 * and !'()*-._~ is %XX-escaped (UTF-8), space is '+'. Unlike the ID assertion body
 * (chromiumFormEscape), '@', ',' and ':' are escaped too.
 */
export function disconnectBody(clientId: string, accountHint: string): string {
  return `client_id=${queryParamEscape(clientId)}&account_hint=${queryParamEscape(accountHint)}`;
}

function queryParamEscape(text: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(b);
    if (b === 0x20) out += '+';
    else if (b < 0x80 && /[A-Za-z0-9!'()*\-._~]/.test(ch)) out += ch;
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
