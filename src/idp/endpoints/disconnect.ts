import { currentSession, type IdpContext } from '../context.js';
import { HttpError, errorResponse, json, type IdpReply, type IdpRequest } from '../http.js';
import { corsHeaders, readForm, refusalCors, requireClientOrigin, requireWebIdentity, withoutNul } from '../request-checks.js';
import type { Client } from '../store/types.js';

/**
 * Reads the disconnect body, which Chromium builds as `client_id=<raw>&account_hint=<raw>`
 * WITHOUT URL-encoding (disconnect_request.cc, chromium-firefox-behaviour §1.9) while the spec
 * and Firefox send a real form encoding. A value can therefore mean itself (`a+b@x.example`
 * from Chromium) or its decoding (`a%2Bb%40x.example` from a spec encoder); both readings are
 * kept, and the caller accepts whichever names a real client / the signed-in account.
 * A value that contains `&` cannot be told apart from the next pair and is not supported.
 */
export function disconnectCandidates(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    if (out.has(name)) throw new HttpError(400, 'invalid_request', `The parameter ${name} appears more than once; send it once.`);
    const readings = [value];
    try {
      const decoded = decodeURIComponent(value.replace(/\+/g, ' '));
      if (decoded !== value) readings.push(decoded);
    } catch {
      // Not a valid percent-encoding: only the raw reading exists.
    }
    // A reading holding a NUL names nothing (see withoutNul): it is dropped, and a value whose
    // every reading holds one is refused.
    const storable = readings.filter((r) => !r.includes('\u0000'));
    out.set(name, storable.length > 0 ? storable : [withoutNul(value, name)]);
  }
  return out;
}

/**
 * FedCM §"IdentityCredential.disconnect()" (checklist §1.9), the IdP side: a credentialed CORS
 * POST from a registered origin; the IdP forgets the grant between the signed-in account named by
 * `account_hint` (its id, email or username) and the client, and answers `{account_id}` so the
 * browser can drop that connection. Disconnecting an account that has no grant is not an error
 * (the answer is the same), which keeps a repeated disconnect idempotent.
 */
export async function disconnect(ctx: IdpContext, request: IdpRequest): Promise<IdpReply> {
  let cors: Record<string, string> = {};
  try {
    requireWebIdentity(request);
    cors = refusalCors(request);
    const { raw } = await readForm(request, ctx.settings.maxBodyBytes);
    const fields = disconnectCandidates(raw);
    const clientIds = fields.get('client_id')?.filter((v) => v !== '' && v.length <= 256) ?? [];
    const hints = fields.get('account_hint')?.filter((v) => v !== '' && v.length <= 512) ?? [];
    if (clientIds.length === 0) throw new HttpError(400, 'invalid_request', 'The parameter client_id is missing.');
    if (hints.length === 0) throw new HttpError(400, 'invalid_request', 'The parameter account_hint is missing.');
    let client: Client | undefined;
    for (const id of clientIds) {
      client = await ctx.store.getClient(id);
      if (client !== undefined) break;
    }
    if (client === undefined) throw new HttpError(400, 'unauthorized_client', `No client ${JSON.stringify(clientIds[0])} is registered with this identity provider.`);
    // The client is known: from here on, only its own origins may read an answer (an origin it
    // does not list gets its 403 without CORS, as fedkit doctor expects of every IdP).
    cors = {};
    cors = corsHeaders(requireClientOrigin(request, client));
    const session = await currentSession(ctx, request);
    if (session === undefined) throw new HttpError(401, 'access_denied', 'The user is not signed in to the identity provider.');
    const user = session.user;
    const names = [user.id, user.email, ...(user.username === null ? [] : [user.username])];
    if (!hints.some((h) => names.includes(h) || names.includes(h.toLowerCase()))) {
      throw new HttpError(400, 'invalid_request', 'account_hint does not name the account signed in to the identity provider.');
    }
    await ctx.store.deleteGrant(user.id, client.id);
    return json({ account_id: user.id }, { headers: { ...cors, 'cache-control': 'no-store' } });
  } catch (e) {
    if (e instanceof HttpError) return errorResponse(e, cors);
    throw e;
  }
}
