// A signed-in user at the IdP, for the probes that need one: cookies the caller gives, a fedkit
// profile, or the IdP's own login form filled in and submitted in the agent (its scripts run, its
// cookies land in the agent's jar). Signing in through the form also shows whether the IdP tells
// the browser (`Set-Login: logged-in`, Login Status §"The Set-Login header"), and a sign-out URL
// whether it says logged-out.

import { runScripts, type PageScripts } from '../../agent/index.js';
import type { IdpConfig } from '../../agent/index.js';
import type { DoctorContext } from '../context.js';
import { finding } from '../fixes.js';

/** Whether the doctor has a signed-in user (or why not, as a ProbeSkipped finding). */
export async function establishSession(ctx: DoctorContext, config: IdpConfig): Promise<boolean> {
  const session = ctx.options.session;
  if (session === undefined) {
    ctx.add(
      finding(
        'ProbeSkipped',
        'info',
        'accounts endpoint',
        'No signed-in user: the accounts (with a session), pictures, ID assertion, token and protection probes did not run. Pass --user and --password (the IdP\'s login form), --cookie name=value, or --profile <file>.',
      ),
    );
    return false;
  }
  ctx.step('session');
  if ('cookies' in session) {
    for (const pair of session.cookies) {
      const line = pair.includes(';') ? pair : `${pair}; Path=/; Secure; SameSite=None`;
      try {
        await ctx.agent.cookies.set(ctx.idpOrigin, line);
      } catch (e) {
        throw new TypeError(`The cookie ${JSON.stringify(pair.split('=')[0])} cannot be set for ${ctx.idpOrigin}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    }
    ctx.agent.profile.setLoginStatus(ctx.idpOrigin, 'logged-in');
    return true;
  }
  if ('profile' in session) return true;
  return signInWithForm(ctx, new URL(session.login.loginUrl ?? config.loginUrl.href), session.login.user, session.login.password);
}

/** Fills the IdP's login form (user and password fields) and submits it; bounded. */
async function signInWithForm(ctx: DoctorContext, loginUrl: URL, user: string, password: string): Promise<boolean> {
  const agent = ctx.agent;
  agent.profile.setLoginStatus(ctx.idpOrigin, 'logged-out');
  const frame = await agent.open(loginUrl);
  const page = runScripts(frame, { agent, label: 'login page' });
  try {
    await within(page.loaded, 10_000);
    const form = [...page.document.forms].find((f) => f.querySelector('input[type=password]') !== null);
    if (form === undefined) {
      ctx.add(finding('ProbeSkipped', 'warning', 'login page', `${loginUrl.href} has no form with a password field, so the doctor could not sign in. Pass --cookie or --profile instead.`, loginUrl.href));
      return false;
    }
    const passwordField = form.querySelector<HTMLInputElement>('input[type=password]')!;
    const userField = [...form.querySelectorAll<HTMLInputElement>('input')].find((i) => {
      const type = (i.getAttribute('type') ?? 'text').toLowerCase();
      const autocomplete = (i.getAttribute('autocomplete') ?? '').toLowerCase();
      return i !== passwordField && (autocomplete.includes('username') || autocomplete.includes('email') || type === 'email' || /user|email|login|name/i.test(i.name));
    });
    if (userField) userField.value = user;
    passwordField.value = password;
    const submit = form.querySelector<HTMLElement>('button[type=submit], input[type=submit], button:not([type])');
    const loggedIn = waitForLoginStatus(ctx, 10_000);
    if (submit) page.click(cssPath(submit));
    else form.requestSubmit();
    const status = await loggedIn;
    const next = page.navigated === undefined ? undefined : await within(page.navigated, 10_000).catch(() => undefined);
    const nextPage = next === undefined ? undefined : runScripts(next, { agent, label: 'login page' });
    nextPage?.close();
    if (status !== 'logged-in') {
      const signedIn = await hasSessionCookie(ctx);
      if (!signedIn) {
        ctx.add(finding('ProbeSkipped', 'warning', 'login page', `Submitting the login form of ${loginUrl.href} as ${user} did not sign in (no session cookie for ${ctx.idpOrigin}). Check the user and password.`, loginUrl.href));
        return false;
      }
      ctx.add(finding('SetLoginMissingOnLogin', 'warning', 'login status', `The sign-in at ${loginUrl.href} set cookies but no "Set-Login: logged-in" header (and the page did not call navigator.login.setStatus).`, loginUrl.href));
      agent.profile.setLoginStatus(ctx.idpOrigin, 'logged-in');
    }
    return true;
  } finally {
    page.close();
  }
}

/** Resolves with the IdP's login status once it becomes logged-in, or whatever it is after `ms`. */
function waitForLoginStatus(ctx: DoctorContext, ms: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const onStatus = (e: { origin: string; status: string }): void => {
      if (e.origin !== ctx.idpOrigin || e.status !== 'logged-in') return;
      clearTimeout(timer);
      ctx.agent.off('loginStatus', onStatus);
      resolve('logged-in');
    };
    const timer = setTimeout(() => {
      ctx.agent.off('loginStatus', onStatus);
      resolve(ctx.agent.profile.getLoginStatus(ctx.idpOrigin));
    }, ms);
    ctx.agent.on('loginStatus', onStatus);
  });
}

async function hasSessionCookie(ctx: DoctorContext): Promise<boolean> {
  return (await ctx.agent.cookies.list(new URL(ctx.idpOrigin))).length > 0;
}

/** The sign-out URL's response should say `Set-Login: logged-out`. Runs last: it ends the session. */
export async function checkSignOut(ctx: DoctorContext): Promise<void> {
  const url = ctx.options.logoutUrl;
  if (url === undefined) return;
  ctx.step('sign-out');
  const frame = await ctx.agent.open(url);
  let page: PageScripts | undefined;
  try {
    if (ctx.agent.profile.getLoginStatus(ctx.idpOrigin) === 'logged-out') return;
    // A sign-out page with a form (a link must not sign out): submit it.
    page = runScripts(frame, { agent: ctx.agent, label: 'sign-out page' });
    await within(page.loaded, 10_000).catch(() => undefined);
    const form = page.document.forms[0];
    if (form !== undefined) {
      const done = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        ctx.agent.on('loginStatus', (e) => {
          if (e.origin === ctx.idpOrigin && e.status === 'logged-out') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      form.requestSubmit();
      await done;
    }
    if (ctx.agent.profile.getLoginStatus(ctx.idpOrigin) !== 'logged-out') {
      ctx.add(finding('SetLoginMissingOnLogout', 'warning', 'login status', `Signing out at ${url} did not send "Set-Login: logged-out".`, url));
    }
  } finally {
    page?.close();
  }
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A selector for one element (runScripts' click takes a selector). */
function cssPath(element: Element): string {
  const parts: string[] = [];
  for (let e: Element | null = element; e !== null && e.localName !== 'html'; e = e.parentElement) {
    const parent: Element | null = e.parentElement;
    const index = parent === null ? 1 : [...parent.children].indexOf(e) + 1;
    parts.unshift(`${e.localName}:nth-child(${index})`);
  }
  return parts.join(' > ');
}
