// The client metadata (FedCM §3.4) and the ID assertion (FedCM §3.5) for the given client id,
// as Chromium requests them for a first sign-up with the default fields, then the IdP's own
// protections: the same request without Sec-Fetch-Dest, from an origin the client does not
// have, and with a nonce already used; the CORS headers of the answer; the disconnect endpoint.

import { randomBytes } from 'node:crypto';
import type { AssertionRequest, IdentityProviderAccount, IdpConfig } from '../../agent/index.js';
import type { DoctorContext } from '../context.js';
import { finding } from '../fixes.js';
import type { RawResponse } from '../http.js';
import { checkToken } from './token.js';

const FIELDS = ['name', 'email', 'picture'];

export async function checkClientMetadata(ctx: DoctorContext, config: IdpConfig, clientId: string): Promise<void> {
  ctx.step('client metadata endpoint');
  const probe = await ctx.probe(true);
  const step = await probe.clientMetadata(config, clientId);
  for (const w of step.warnings) ctx.addDiagnostic(w);
  const metadata = step.result;
  if (metadata === null || metadata === undefined) return;
  if (metadata.privacyPolicyUrl === undefined || metadata.termsOfServiceUrl === undefined) {
    const missing = [metadata.privacyPolicyUrl === undefined ? 'privacy_policy_url' : '', metadata.termsOfServiceUrl === undefined ? 'terms_of_service_url' : ''].filter(Boolean).join(' and ');
    ctx.add(finding('ClientMetadataLinkInvalid', 'info', 'client metadata endpoint', `The client metadata of ${JSON.stringify(clientId)} has no usable ${missing} (absent, or not an absolute http(s) URL): the sign-up disclosure links nothing.`, config.clientMetadataEndpoint?.href));
  }
}

/** Chromium's form body for a sign-up with the default fields (EscapeUrlEncodedData aside). */
function chromiumRequest(clientId: string, account: IdentityProviderAccount, nonce: string): AssertionRequest {
  return { clientId, accountId: account.id, disclosureTextShown: true, isAutoSelected: false, mode: 'passive', fields: FIELDS, disclosureShownFor: FIELDS, params: JSON.stringify({ nonce }) };
}

/** The assertion, then its token. Returns the nonce it used, for the replay probe. */
export async function checkAssertion(ctx: DoctorContext, config: IdpConfig, clientId: string, account: IdentityProviderAccount): Promise<void> {
  ctx.step('id assertion endpoint');
  const probe = await ctx.probe(true);
  const nonce = randomBytes(12).toString('base64url');
  const step = await probe.assertion(config, chromiumRequest(clientId, account, nonce));
  for (const w of step.warnings) ctx.addDiagnostic(w);
  if (step.failure) {
    ctx.addDiagnostic(step.failure, 'error');
  } else if (step.result?.kind === 'continue_on') {
    ctx.add(finding('ProbeSkipped', 'info', 'id assertion endpoint', `The IdP answered continue_on ${step.result.url.href} (its own page, for consent or more): the token and its checks need that page, which the doctor does not fill in.`, step.result.url.href, 'Nothing to fix if the IdP asks for consent on purpose; sign the user in to this client once in a browser to check the token.'));
  } else if (step.result?.kind === 'token') {
    await checkToken(ctx, step.result.token, { nonce, clientId });
  }
  await checkProtections(ctx, config, clientId, account);
}

/** The headers a browser sends on the assertion POST, with the session's cookies. */
async function browserHeaders(ctx: DoctorContext, url: URL, origin: string): Promise<Record<string, string>> {
  const cookies = await ctx.agent.cookies.list(url);
  return {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
    origin,
    'sec-fetch-dest': 'webidentity',
    'sec-fetch-mode': 'cors',
    'sec-fetch-site': 'cross-site',
    ...(cookies.length > 0 ? { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } : {}),
  };
}

function formBody(clientId: string, account: IdentityProviderAccount, nonce: string): string {
  return new URLSearchParams({
    client_id: clientId,
    account_id: account.id,
    disclosure_text_shown: 'true',
    is_auto_selected: 'false',
    mode: 'passive',
    fields: FIELDS.join(','),
    disclosure_shown_for: FIELDS.join(','),
    params: JSON.stringify({ nonce }),
  }).toString();
}

/** Whether an answer handed over a token (or a continue_on, which leads to one). */
function issued(res: RawResponse): boolean {
  if (res.status < 200 || res.status > 299) return false;
  try {
    const body = JSON.parse(res.body) as Record<string, unknown>;
    return body['token'] !== undefined || body['continue_on'] !== undefined;
  } catch {
    return false;
  }
}

async function checkProtections(ctx: DoctorContext, config: IdpConfig, clientId: string, account: IdentityProviderAccount): Promise<void> {
  ctx.step('protections');
  const url = config.idAssertionEndpoint;
  const send = async (probe: string, headers: Record<string, string>, nonce: string): Promise<RawResponse | undefined> => {
    try {
      return await ctx.raw.fetch(probe, url, { method: 'POST', headers, body: formBody(clientId, account, nonce) });
    } catch {
      return undefined;
    }
  };
  // A genuine request, for the CORS headers and a nonce to replay.
  const nonce = randomBytes(12).toString('base64url');
  const genuine = await send('protections: genuine', await browserHeaders(ctx, url, ctx.rpOrigin), nonce);
  if (genuine !== undefined && issued(genuine)) {
    const acao = genuine.headers.get('access-control-allow-origin');
    if (acao === '*') ctx.add(finding('CorsWildcardOrigin', 'error', 'id assertion endpoint', `${url.href} answers Access-Control-Allow-Origin: * (with credentials, browsers refuse it).`, url.href));
    if (genuine.headers.get('access-control-allow-credentials') !== 'true') {
      ctx.add(finding('CorsMissingCredentials', 'error', 'id assertion endpoint', `${url.href} answers without Access-Control-Allow-Credentials: true.`, url.href));
    }
    if (!/no-store/i.test(genuine.headers.get('cache-control') ?? '')) {
      ctx.add(finding('AssertionWithoutCacheControl', 'info', 'id assertion endpoint', `${url.href} answers a token without Cache-Control: no-store.`, url.href));
    }
    const replay = await send('protections: replayed nonce', await browserHeaders(ctx, url, ctx.rpOrigin), nonce);
    if (replay !== undefined && issued(replay)) {
      ctx.add(finding('AssertionAcceptsReplayedNonce', 'warning', 'id assertion endpoint', `${url.href} issued a second token for the nonce ${JSON.stringify(nonce)} of client ${JSON.stringify(clientId)}.`, url.href));
    }
  }
  const withoutDest = await browserHeaders(ctx, url, ctx.rpOrigin);
  delete withoutDest['sec-fetch-dest'];
  delete withoutDest['sec-fetch-mode'];
  delete withoutDest['sec-fetch-site'];
  const plain = await send('protections: no Sec-Fetch-Dest', withoutDest, randomBytes(12).toString('base64url'));
  if (plain !== undefined && issued(plain)) {
    ctx.add(finding('AssertionAcceptsWithoutWebIdentity', 'warning', 'id assertion endpoint', `${url.href} issued a token to a request without Sec-Fetch-Dest: webidentity (any script on a page can send that request).`, url.href));
  }
  const stranger = 'https://attacker.doctor.invalid';
  const foreign = await send('protections: unregistered origin', await browserHeaders(ctx, url, stranger), randomBytes(12).toString('base64url'));
  if (foreign !== undefined && (issued(foreign) || foreign.headers.get('access-control-allow-origin') === stranger)) {
    ctx.add(finding('AssertionAcceptsUnregisteredOrigin', 'error', 'id assertion endpoint', `${url.href} answered Origin ${stranger} (not registered for ${JSON.stringify(clientId)}) with ${issued(foreign) ? 'a token' : `Access-Control-Allow-Origin: ${stranger}`}.`, url.href));
  }

  const disconnect = config.disconnectEndpoint;
  if (disconnect !== undefined) {
    try {
      const res = await ctx.raw.fetch('protections: disconnect', disconnect, {
        method: 'POST',
        headers: await browserHeaders(ctx, disconnect, ctx.rpOrigin),
        // An account hint that matches nothing: the CORS headers are the point, not a disconnect.
        body: `client_id=${clientId}&account_hint=fedkit-doctor-no-such-account`,
      });
      const cors = res.headers.get('access-control-allow-origin') === ctx.rpOrigin && res.headers.get('access-control-allow-credentials') === 'true';
      // An error for the made-up account may come without CORS where a real one would not: only
      // an answer the RP could use tells.
      if (!cors && res.status >= 200 && res.status < 300) {
        ctx.add(finding('DisconnectWithoutCors', 'warning', 'disconnect endpoint', `${disconnect.href} answered ${res.status} with Access-Control-Allow-Origin ${JSON.stringify(res.headers.get('access-control-allow-origin'))} and Access-Control-Allow-Credentials ${JSON.stringify(res.headers.get('access-control-allow-credentials'))}: the RP's disconnect() cannot read it.`, disconnect.href));
      }
    } catch {
      // Unreachable: the config probe said so already.
    }
  }
}
