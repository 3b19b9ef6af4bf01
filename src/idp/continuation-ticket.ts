// The continuation ticket: the state of an ID assertion that needs the user's consent on the
// IdP's own page (FedCM §3.5 `continue_on`), carried in that page's URL as a JWT signed with the
// IdP's key. The assertion endpoint makes one; the continuation page reads it back.

import type { IdpContext } from './context.js';
import { HttpError } from './http.js';
import { InvalidTokenError, isField, type Field } from './tokens.js';

const TICKET_TYP = 'fedkit-continuation+jwt';
const TICKET_TTL_SECONDS = 10 * 60;

/** What an assertion that waits for consent carries to the continuation page. */
export interface Ticket {
  userId: string;
  clientId: string;
  origin: string;
  nonce: string | undefined;
  disclose: Field[];
  needsConsent: Field[];
}

/**
 * The state of an assertion that needs the user's consent, carried to the continuation page in
 * its URL: signed with the IdP's own key (so it cannot be forged or edited), addressed to the
 * continuation page, valid for ten minutes. Nothing is stored until the user agrees.
 */
export async function createContinuationTicket(ctx: IdpContext, t: Ticket): Promise<string> {
  const iat = Math.floor(ctx.now() / 1000);
  return ctx.keys.sign(
    {
      iss: ctx.issuer,
      aud: ctx.urls.continue,
      sub: t.userId,
      iat,
      exp: iat + TICKET_TTL_SECONDS,
      client_id: t.clientId,
      origin: t.origin,
      ...(t.nonce === undefined ? {} : { nonce: t.nonce }),
      disclose: t.disclose,
      consent: t.needsConsent,
    },
    TICKET_TYP,
  );
}

/** Checks a ticket from the continuation page's URL or form (signature, audience, expiry). */
export async function readTicket(ctx: IdpContext, value: string): Promise<Ticket> {
  let p;
  try {
    p = await ctx.keys.verify(value, { typ: TICKET_TYP, issuer: ctx.issuer, audience: ctx.urls.continue });
  } catch (e) {
    if (!(e instanceof InvalidTokenError)) throw e;
    throw new HttpError(400, 'invalid_request', 'This consent link is invalid or has expired; sign in from the site again.');
  }
  const fields = (v: unknown): Field[] => (Array.isArray(v) ? v.filter((x): x is Field => typeof x === 'string' && isField(x)) : []);
  return {
    userId: String(p.sub),
    clientId: String(p.client_id),
    origin: String(p.origin),
    nonce: typeof p.nonce === 'string' ? p.nonce : undefined,
    disclose: fields(p.disclose),
    needsConsent: fields(p.consent),
  };
}
