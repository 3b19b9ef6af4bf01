import { checkCsrf, clearSessionCookie, csrfToken, currentSession, startSession, type ConnectionInfo, type IdpContext } from '../context.js';
import { HttpError, errorResponse, escapeHtml, refused, type IdpReply, type IdpRequest } from '../http.js';
import { page, wantsHtml } from '../html.js';
import { verifyNothing, verifyPassword } from '../passwords.js';
import { loginBlockedFor, loginKeys, recordLoginFailure, recordLoginSuccess } from '../rate-limit.js';
import { readForm, single } from '../request-checks.js';

/** Runs when the page is a FedCM login popup: tells the browser the sign-in is done. */
const CLOSE_POPUP = 'if (window.IdentityProvider && IdentityProvider.close) IdentityProvider.close();';

function loginForm(ctx: IdpContext, csrf: string, email: string, message: string | undefined, signedInAs: string | undefined): string {
  return [
    `<h1>Sign in to ${escapeHtml(ctx.settings.displayName)}</h1>`,
    signedInAs === undefined ? '' : `<p>You are signed in as ${escapeHtml(signedInAs)}. Sign in again to switch accounts.</p>`,
    message === undefined ? '' : `<p class="error" role="alert">${escapeHtml(message)}</p>`,
    `<form method="post" action="${escapeHtml(ctx.urls.login)}">`,
    `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`,
    `<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}">`,
    `<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>`,
    `<button type="submit" id="signin">Sign in</button>`,
    `</form>`,
  ].join('\n');
}

/**
 * The login page (config `login_url`; FedCM §"Login Status API" and §"IdentityProvider.close()").
 * GET shows a real form with a CSRF token (prefilled from the `login_hint` the browser appends).
 * POST checks the token and the rate limits, verifies the password, starts a session
 * (SameSite=None cookie), answers `Set-Login: logged-in` and, when the page is the browser's
 * FedCM login popup, calls `IdentityProvider.close()` so the browser re-fetches the accounts.
 * Errors are a JSON body for API callers and the form again, with the message, for browsers;
 * either way the status says what went wrong and nothing but the failure count is stored.
 */
export async function login(ctx: IdpContext, request: IdpRequest, info: ConnectionInfo): Promise<IdpReply> {
  const html = wantsHtml(request);
  const csrf = csrfToken(ctx, request);
  const cookieHeaders: Record<string, string> = csrf.setCookie === undefined ? {} : { 'set-cookie': csrf.setCookie };
  let email = '';
  try {
    const session = await currentSession(ctx, request);
    if (request.method === 'GET') {
      const hint = new URL(request.url).searchParams.get('login_hint') ?? '';
      return page({ title: 'Sign in', headers: cookieHeaders, body: loginForm(ctx, csrf.token, hint.slice(0, 320), undefined, session?.user.email) });
    }
    const { params } = await readForm(request, ctx.settings.maxBodyBytes);
    checkCsrf(ctx, request, single(params, 'csrf', 256));
    email = (single(params, 'email', 320) ?? '').trim();
    const password = single(params, 'password', 1024) ?? '';
    if (email === '' || password === '') throw new HttpError(400, 'invalid_request', 'Enter your email and password.');

    const now = ctx.now();
    const keys = loginKeys(email, info.remoteAddress ?? 'unknown');
    const wait = await loginBlockedFor(ctx.store, keys, ctx.settings.loginRateLimits, now);
    if (wait > 0) {
      throw new HttpError(429, 'temporarily_unavailable', `Too many failed sign-in attempts; wait ${wait} s and try again.`, { 'retry-after': String(wait) });
    }
    const user = await ctx.store.getUserByEmail(email);
    const ok = user === undefined ? await verifyNothing(password) : await verifyPassword(password, user.passwordHash);
    if (user === undefined || !ok) {
      await recordLoginFailure(ctx.store, keys, now);
      throw new HttpError(401, 'access_denied', 'The email or password is not right.');
    }
    await recordLoginSuccess(ctx.store, keys);
    // A new session id at every sign-in (no fixation); the old session of this browser ends.
    if (session !== undefined) await ctx.store.deleteSession(session.idHash);
    const cookie = await startSession(ctx, user.id);
    return page({
      title: 'Signed in',
      headers: { 'set-cookie': [cookie, ...(csrf.setCookie === undefined ? [] : [csrf.setCookie])], 'set-login': 'logged-in' },
      body: `<h1>Signed in</h1><p>You are signed in as ${escapeHtml(user.email)}.</p>`,
      script: CLOSE_POPUP,
    });
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    if (!html) return errorResponse(e, cookieHeaders);
    return refused(page({ title: 'Sign in', status: e.status, headers: { ...cookieHeaders, ...e.headers }, body: loginForm(ctx, csrf.token, email, e.message, undefined) }), e);
  }
}

/**
 * The logout page. GET shows a one-button form (a link or an image must not be able to sign the
 * user out); POST ends the session, expires the cookie and answers `Set-Login: logged-out`
 * (Login Status API) so browsers stop showing this IdP's accounts.
 */
export async function logout(ctx: IdpContext, request: IdpRequest): Promise<IdpReply> {
  const html = wantsHtml(request);
  const csrf = csrfToken(ctx, request);
  const cookieHeaders: Record<string, string> = csrf.setCookie === undefined ? {} : { 'set-cookie': csrf.setCookie };
  try {
    if (request.method === 'GET') {
      return page({
        title: 'Sign out',
        headers: cookieHeaders,
        body: [
          `<h1>Sign out of ${escapeHtml(ctx.settings.displayName)}</h1>`,
          `<form method="post" action="${escapeHtml(ctx.urls.logout)}">`,
          `<input type="hidden" name="csrf" value="${escapeHtml(csrf.token)}">`,
          `<button type="submit" id="signout">Sign out</button>`,
          `</form>`,
        ].join('\n'),
      });
    }
    const { params } = await readForm(request, ctx.settings.maxBodyBytes);
    checkCsrf(ctx, request, single(params, 'csrf', 256));
    const session = await currentSession(ctx, request);
    if (session !== undefined) await ctx.store.deleteSession(session.idHash);
    return page({
      title: 'Signed out',
      headers: { 'set-cookie': clearSessionCookie(ctx), 'set-login': 'logged-out' },
      body: '<h1>Signed out</h1><p>You are signed out.</p>',
    });
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    if (!html) return errorResponse(e, cookieHeaders);
    return refused(page({ title: 'Sign out', status: e.status, headers: cookieHeaders, body: `<p class="error" role="alert">${escapeHtml(e.message)}</p>` }), e);
  }
}

