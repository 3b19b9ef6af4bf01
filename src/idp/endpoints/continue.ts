import { checkCsrf, csrfToken, currentSession, type IdpContext } from '../context.js';
import { HttpError, errorResponse, escapeHtml, refused, scriptJson, type IdpReply, type IdpRequest } from '../http.js';
import { page, wantsHtml } from '../html.js';
import { readForm, required, single } from '../request-checks.js';
import type { Field } from '../tokens.js';
import { signAssertion } from '../issue-assertion.js';
import { assertionStep } from '../store-steps.js';
import { decideDisclosure } from '../disclosure.js';
import { readTicket } from '../continuation-ticket.js';

const FIELD_LABELS: Record<Field, string> = {
  name: 'your name',
  email: 'your email address',
  picture: 'your profile picture',
  tel: 'your phone number',
  username: 'your username',
};

/**
 * FedCM §"Fetch an identity assertion" continue_on, and §"IdentityProvider.resolve()": the page
 * the browser opens in a popup when the assertion answered `{continue_on}`. It asks the user to
 * share the fields not disclosed yet; on "Allow" it finishes the assertion exactly like the
 * endpoint would and hands the token to the browser with `IdentityProvider.resolve(token,
 * {accountId})`; on "Deny" it calls `IdentityProvider.close()`, which fails the RP's request.
 */
export async function continuation(ctx: IdpContext, request: IdpRequest): Promise<IdpReply> {
  const html = wantsHtml(request);
  try {
    const session = await currentSession(ctx, request);
    if (request.method === 'GET') {
      const ticket = await readTicket(ctx, new URL(request.url).searchParams.get('ticket') ?? '');
      if (session === undefined || session.user.id !== ticket.userId) throw new HttpError(401, 'access_denied', 'Sign in to the identity provider as the account that was chosen, then try again.');
      const csrf = csrfToken(ctx, request);
      const raw = new URL(request.url).searchParams.get('ticket') ?? '';
      const wanted = ticket.needsConsent.map((f) => `<li>${escapeHtml(FIELD_LABELS[f])}</li>`).join('');
      return page({
        title: `Share with ${ticket.origin}?`,
        headers: csrf.setCookie === undefined ? {} : { 'set-cookie': csrf.setCookie },
        body: [
          `<h1>Share with ${escapeHtml(ticket.origin)}?</h1>`,
          `<p>${escapeHtml(ticket.origin)} asks ${escapeHtml(ctx.settings.displayName)} for:</p><ul>${wanted}</ul>`,
          `<form method="post" action="${escapeHtml(ctx.urls.continue)}">`,
          `<input type="hidden" name="csrf" value="${escapeHtml(csrf.token)}">`,
          `<input type="hidden" name="ticket" value="${escapeHtml(raw)}">`,
          `<button type="submit" name="decision" value="allow" id="allow">Allow</button>`,
          `<button type="submit" name="decision" value="deny" id="deny">Deny</button>`,
          `</form>`,
        ].join('\n'),
      });
    }
    const { params } = await readForm(request, ctx.settings.maxBodyBytes);
    checkCsrf(ctx, request, single(params, 'csrf', 256));
    const ticket = await readTicket(ctx, required(params, 'ticket', ctx.settings.maxBodyBytes));
    if (session === undefined || session.user.id !== ticket.userId) throw new HttpError(401, 'access_denied', 'Sign in to the identity provider as the account that was chosen, then try again.');
    const decision = single(params, 'decision');
    if (decision !== 'allow') {
      return page({
        title: 'Not shared',
        body: '<p>Nothing was shared. You can close this window.</p>',
        script: 'if (window.IdentityProvider) IdentityProvider.close();',
      });
    }
    // The user agreed to every field of the ticket: the same one-call store step as the
    // assertion endpoint (nonce and grant in one commit), with all of them disclosed now.
    const fields = [...ticket.disclose, ...ticket.needsConsent];
    const now = ctx.now();
    const step = await assertionStep(ctx.store, {
      clientId: ticket.clientId,
      sessionIdHash: session.idHash,
      now,
      complete: {
        origin: ticket.origin,
        accountId: ticket.userId,
        nonce: ticket.nonce,
        nonceExpiresAt: now + ctx.settings.nonceTtlSeconds * 1000,
        disclosure: { fields, disclosureShownFor: fields, disclosureTextShown: false },
      },
    });
    const client = step.client;
    if (client === undefined || !client.origins.includes(ticket.origin)) throw new HttpError(400, 'unauthorized_client', 'The site is no longer registered with this identity provider.');
    if (step.session === undefined || step.session.user.id !== ticket.userId) throw new HttpError(401, 'access_denied', 'Sign in to the identity provider as the account that was chosen, then try again.');
    if (step.outcome === 'replay') {
      throw new HttpError(400, 'invalid_request', `This nonce was already used for client ${JSON.stringify(client.id)}; the RP must make a new one for every sign-in.`);
    }
    if (step.outcome !== 'completed') throw new Error('assertionStep did not complete an assertion the user consented to');
    const disclosed = decideDisclosure(step.session.user, { fields, disclosureShownFor: fields, disclosureTextShown: false }, step.grant?.fields).disclose;
    const token = await signAssertion(ctx, { user: step.session.user, client, nonce: ticket.nonce, fields: disclosed }, now);
    return page({
      title: 'Signed in',
      body: `<p>Signed in to ${escapeHtml(ticket.origin)}. You can close this window.</p><output id="token" hidden>${escapeHtml(token)}</output>`,
      script: `if (window.IdentityProvider) IdentityProvider.resolve(${scriptJson(token)}, { accountId: ${scriptJson(session.user.id)} });`,
    });
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    if (!html) return errorResponse(e);
    return refused(page({ title: 'Error', status: e.status, body: `<p class="error">${escapeHtml(e.message)}</p>` }), e);
  }
}
