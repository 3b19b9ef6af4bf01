import { sessionIdHash, type IdpContext } from '../context.js';
import { HttpError, errorResponse, json, type IdpReply, type IdpRequest } from '../http.js';
import { corsHeaders, readForm, required, refusalCors, requireClientOrigin, requireWebIdentity, single, withoutNul } from '../request-checks.js';
import { isField, type Field } from '../tokens.js';
import { createContinuationTicket } from '../continuation-ticket.js';
import { assertionStep } from '../store-steps.js';
import { decideDisclosure, type DisclosureForm } from '../disclosure.js';
import { signAssertion } from '../issue-assertion.js';

/** `a,b,c` → recognized fields, in order, without duplicates; unknown names are ignored. */
export function parseFieldList(value: string | undefined): Field[] | undefined {
  if (value === undefined) return undefined;
  const out: Field[] = [];
  for (const part of value.split(',')) {
    const f = part.trim();
    if (isField(f) && !out.includes(f)) out.push(f);
  }
  return out;
}

/**
 * The RP's `params` (FedCM §"IdentityProviderRequestOptions".params), which the browser sends as
 * the JSON serialization of an object. A string that is not JSON, or JSON that is not an object,
 * is refused rather than silently treated as `{}` (one peer's bug, ecosystem-and-peers §1.1).
 */
export function parseParams(value: string | undefined): Record<string, unknown> {
  if (value === undefined || value === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The params parameter is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'invalid_request', 'The params parameter must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/**
 * The nonce: `params.nonce` (where Chromium 145+ and the spec put it), else the legacy top-level
 * `nonce` form field older browsers send. Both present and different is ambiguous and refused.
 */
export function pickNonce(params: Record<string, unknown>, topLevel: string | undefined): string | undefined {
  const inParams = params.nonce;
  if (inParams !== undefined && typeof inParams !== 'string') throw new HttpError(400, 'invalid_request', 'params.nonce must be a string.');
  if (inParams !== undefined && topLevel !== undefined && inParams !== topLevel) {
    throw new HttpError(400, 'invalid_request', 'The top-level nonce and params.nonce differ; send the nonce in params only.');
  }
  const nonce = inParams ?? topLevel;
  if (nonce !== undefined && (nonce === '' || nonce.length > 512)) throw new HttpError(400, 'invalid_request', 'The nonce must be 1 to 512 characters.');
  return nonce === undefined ? undefined : withoutNul(nonce, 'nonce');
}

export { decideDisclosure, type AssertionDecision } from '../disclosure.js';

/**
 * FedCM §"Fetch an identity assertion" (checklist §1.8, Chromium §1.8), the IdP side:
 * - a credentialed CORS POST with a form body; `Origin` must be registered for `client_id`
 *   (spec L2456-2462), and the answer carries CORS for exactly that origin with credentials;
 * - the signed-in account must be `account_id`;
 * - `params` is JSON, `nonce` comes from it or the legacy field, `fields` / `disclosure_shown_for`
 *   decide the claims, and `{continue_on}` sends the user to a consent page for the rest;
 * - errors are `{error: {error, code, url?}}` with RFC 6749 codes (see http.ts) and carry CORS
 *   for the requesting origin, so the browser shows the IdP's error rather than a CORS failure
 *   (Chromium reads error bodies of any status, checklist §1.8 step 1); before the client is
 *   known, only errors that say nothing about the user (refusalCors); an origin the known
 *   client does not list gets none.
 */
export async function assertion(ctx: IdpContext, request: IdpRequest): Promise<IdpReply> {
  let cors: Record<string, string> = {};
  try {
    requireWebIdentity(request);
    cors = refusalCors(request);
    const { params: form } = await readForm(request, ctx.settings.maxBodyBytes);
    const clientId = required(form, 'client_id', 256);
    const accountId = required(form, 'account_id', 256);
    // Everything else the request says is parsed before the store is asked, so that the store
    // can make the whole step in one call; a parse error is kept and raised where the checks
    // below reach it, so the order of refusals (and their CORS) is the same as check by check.
    const nonceStep = attempt(() => {
      const nonce = pickNonce(parseParams(single(form, 'params', ctx.settings.maxBodyBytes)), single(form, 'nonce', 512));
      if (nonce === undefined && ctx.settings.requireNonce) {
        throw new HttpError(400, 'invalid_request', 'A nonce is required: pass params: { nonce } to navigator.credentials.get().');
      }
      return nonce;
    });
    const disclosureStep = attempt(
      (): DisclosureForm => ({
        fields: parseFieldList(single(form, 'fields')),
        disclosureShownFor: parseFieldList(single(form, 'disclosure_shown_for')),
        disclosureTextShown: single(form, 'disclosure_text_shown') === 'true',
      }),
    );
    const origin = request.headers.get('origin');
    const now = ctx.now();
    // One store call: client, session and user, grant, and (when the request can complete) the
    // nonce and the grant written in one transaction / statement, checked there on the same rows.
    const step = await assertionStep(ctx.store, {
      clientId,
      sessionIdHash: sessionIdHash(ctx, request),
      now,
      ...(nonceStep.ok && disclosureStep.ok && origin !== null
        ? { complete: { origin, accountId, nonce: nonceStep.value, nonceExpiresAt: now + ctx.settings.nonceTtlSeconds * 1000, disclosure: disclosureStep.value } }
        : {}),
    });

    const client = step.client;
    if (client === undefined) throw new HttpError(400, 'unauthorized_client', `No client ${JSON.stringify(clientId)} is registered with this identity provider.`);
    // The client is known: from here on, only its own origins may read an answer (an origin it
    // does not list gets its 403 without CORS, as fedkit doctor expects of every IdP).
    cors = {};
    cors = corsHeaders(requireClientOrigin(request, client));
    const nonce = nonceStep.get();
    const session = step.session;
    if (session === undefined) throw new HttpError(401, 'access_denied', 'The user is not signed in to the identity provider.');
    if (session.user.id !== accountId) throw new HttpError(403, 'access_denied', 'account_id is not the account signed in to the identity provider.');

    // The endpoint's own decision on the rows the store read: the store completed the step if
    // and only if this decision needs no consent (a store that disagrees is a bug, not a refusal).
    const decision = decideDisclosure(session.user, disclosureStep.get(), step.grant?.fields);
    if (decision.needsConsent.length > 0) {
      if (step.outcome !== 'not-completed') throw new Error(`assertionStep wrote an assertion (${step.outcome}) that needs the user's consent for ${decision.needsConsent.join(', ')}`);
      const ticket = await createContinuationTicket(ctx, {
        userId: session.user.id,
        clientId: client.id,
        origin: cors['access-control-allow-origin']!,
        nonce,
        disclose: decision.disclose,
        needsConsent: decision.needsConsent,
      });
      const url = new URL(ctx.urls.continue);
      url.searchParams.set('ticket', ticket);
      return json({ continue_on: url.href }, { headers: { ...cors, 'cache-control': 'no-store' } });
    }
    if (step.outcome === 'replay') {
      throw new HttpError(400, 'invalid_request', `This nonce was already used for client ${JSON.stringify(client.id)}; the RP must make a new one for every sign-in.`);
    }
    if (step.outcome !== 'completed') throw new Error('assertionStep did not complete an assertion that passed every check');
    // The nonce and the grant are committed: only now is the token signed and sent.
    const token = await signAssertion(ctx, { user: session.user, client, nonce, fields: decision.disclose }, now);
    return json({ token }, { headers: { ...cors, 'cache-control': 'no-store' } });
  } catch (e) {
    if (e instanceof HttpError) return errorResponse(e, cors);
    throw e;
  }
}

/** A parse made early whose refusal is raised later, where the checks reach it (`get()`). */
interface Attempt<T> {
  readonly ok: boolean;
  readonly value: T;
  get(): T;
}

function attempt<T>(parse: () => T): Attempt<T> {
  try {
    const value = parse();
    return { ok: true, value, get: () => value };
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    return {
      ok: false,
      value: undefined as T,
      get: () => {
        throw e;
      },
    };
  }
}
