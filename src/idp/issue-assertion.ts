// The last step of every successful ID assertion (FedCM §3.5, the IdP side), shared by the
// assertion endpoint and the continuation page: once the store's assertionStep has used up the
// nonce and recorded the grant in one commit (store-steps.ts), sign.

import { pictureUrl, type IdpContext } from './context.js';
import type { Client, User } from './store/types.js';
import { issueIdToken, type Field } from './tokens.js';

/**
 * The ID token of an assertion whose nonce is used up and whose grant is written (by
 * the store's one-call assertionStep): the signature is the last step,
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
