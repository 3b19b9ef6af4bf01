// The last step of every successful ID assertion (FedCM §3.5, the IdP side), shared by the
// assertion endpoint and the continuation page: use up the nonce, record the grant, sign.

import { pictureUrl, type IdpContext } from './context.js';
import { HttpError } from './http.js';
import type { Client, User } from './store/types.js';
import { issueIdToken, type Field } from './tokens.js';

/**
 * The last step of every successful assertion (here and on the consent page): the (client, nonce)
 * pair is used up first, so a replay changes nothing; then the grant records what was shared;
 * then the token is signed.
 */
export async function completeAssertion(
  ctx: IdpContext,
  input: { user: User; client: Client; nonce: string | undefined; fields: Field[] },
): Promise<string> {
  const now = ctx.now();
  if (input.nonce !== undefined) {
    const fresh = await ctx.store.useNonce(input.client.id, input.nonce, now, now + ctx.settings.nonceTtlSeconds * 1000);
    if (!fresh) throw new HttpError(400, 'invalid_request', `This nonce was already used for client ${JSON.stringify(input.client.id)}; the RP must make a new one for every sign-in.`);
  }
  await ctx.store.upsertGrant(input.user.id, input.client.id, input.fields, now);
  return signAssertion(ctx, input, now);
}

/**
 * The ID token of an assertion whose nonce is used up and whose grant is written (by
 * completeAssertion, or by the store's one-call assertionStep): the signature is the last step,
 * so no token leaves before both are committed.
 */
export function signAssertion(ctx: IdpContext, input: { user: User; client: Client; nonce: string | undefined; fields: Field[] }, now: number): Promise<string> {
  return issueIdToken(ctx.keys, {
    issuer: ctx.issuer,
    user: input.user,
    clientId: input.client.id,
    nonce: input.nonce,
    fields: input.fields,
    pictureUrl: pictureUrl(ctx, input.user),
    now,
    ttlSeconds: ctx.settings.tokenTtlSeconds,
  });
}
