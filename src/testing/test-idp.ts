// The IdP a test signs in against: fedkit's IdP kit (every FedCM endpoint, Login Status, signed
// tokens, JWKS, discovery) on an in-memory SQLite store, with users and a client made for the
// test, and one route of its own: a sign-in link. Visiting it signs a user in through the IdP's
// real login form (CSRF, password, session cookie, `Set-Login: logged-in`), so a test can start
// from a signed-in user in the agent, in Playwright, or in Chrome alike.

import { randomBytes } from 'node:crypto';
import { LIGHT_HANDLER, lightFromResponse, lightHandlerOf, type LightHandler } from '../common/light-http.js';
import { addClient, addUser, createIdp, openStore, StoreConflictError, type Idp, type IdpOptions, type Store } from '../idp/index.js';

/** A user of the test IdP (the password is for its login form). */
export interface TestUser {
  id: string;
  email: string;
  name: string;
  givenName?: string;
  password: string;
}

/** A relying party registered with the test IdP. */
export interface TestClient {
  id: string;
  /** The RP origins allowed to sign in with this client id. */
  origins: string[];
  privacyPolicyUrl?: string;
  termsOfServiceUrl?: string;
}

export interface TestIdpOptions {
  /** The IdP's host name (default `idp.example`). It is served as `https://<host>`. */
  host?: string;
  /** The users (default: Jane Doe, jane@idp.example). */
  users?: readonly TestUser[];
  /** The registered RPs (default: `test-rp` for https://rp.example). */
  clients?: readonly TestClient[];
  /** More options for the IdP kit's createIdp (branding, token lifetime, requireNonce, …). */
  idp?: Omit<IdpOptions, 'issuer' | 'store'>;
  /**
   * Keep the IdP's state (users, sessions, grants, keys) in this SQLite file, so that a second
   * run meets a returning user (default: in memory, gone with close()).
   */
  database?: string;
}

export const DEFAULT_TEST_USERS: readonly TestUser[] = Object.freeze([
  Object.freeze({ id: 'jane', email: 'jane@idp.example', name: 'Jane Doe', givenName: 'Jane', password: 'correct horse battery staple' }),
]);

export const DEFAULT_TEST_CLIENT: Readonly<TestClient> = Object.freeze({ id: 'test-rp', origins: ['https://rp.example'] });

/** The test route that signs a user in (`?user=<email or id>`, default the first user). */
export const SIGN_IN_PATH = '/.fedkit-testing/sign-in';
/** The test route that signs the current user out (`Set-Login: logged-out`). */
export const SIGN_OUT_PATH = '/.fedkit-testing/sign-out';

/** The test IdP before it listens: the handler and what describes it. */
export interface TestIdpParts {
  readonly host: string;
  readonly origin: string;
  /** The FedCM config URL RPs pass as `configURL`. */
  readonly configURL: string;
  /** The first client's id. */
  readonly clientId: string;
  readonly users: readonly TestUser[];
  readonly clients: readonly TestClient[];
  /** The IdP kit's handler (in-process use: `await idp(new Request(…))`). */
  readonly idp: Idp;
  readonly store: Store;
  /** An absolute URL on the IdP. */
  url(path: string): string;
  /** Visiting this URL (in the agent, a page, or Chrome) signs `user` in at the IdP. */
  signInUrl(user?: string): string;
  /** Visiting this URL signs the IdP's user out. */
  signOutUrl(): string;
  /** The handler with the test routes. */
  readonly handler: (request: Request) => Promise<Response>;
}

/** Builds the test IdP (store, users, clients) without serving it. */
export async function createTestIdp(options: TestIdpOptions = {}): Promise<TestIdpParts> {
  const host = options.host ?? 'idp.example';
  const origin = `https://${host}`;
  const users = options.users ?? DEFAULT_TEST_USERS;
  const clients = options.clients ?? [DEFAULT_TEST_CLIENT];
  const first = clients[0];
  if (first === undefined) throw new TypeError('fedkit/testing: the test IdP needs at least one client.');
  if (users.length === 0) throw new TypeError('fedkit/testing: the test IdP needs at least one user.');
  const store = await openStore(options.database ?? ':memory:');
  try {
    // A kept database has them from an earlier run.
    for (const c of clients) await unlessStored(addClient(store, { ...c }));
    // A cheap scrypt: these passwords protect nothing, and tests make many users.
    for (const u of users) await unlessStored(addUser(store, { ...u, scrypt: { N: 2 ** 10, r: 8, p: 1 } }));
  } catch (e) {
    await store.close();
    throw e;
  }
  const cookies = { session: 'fedkit_session', csrf: '__Host-fedkit_csrf' };
  const idp = createIdp({ ...options.idp, issuer: origin, store, cookies });
  const url = (path: string): string => new URL(path, `${origin}/`).href;

  /** Signs `who` in through the IdP's own login form, in-process, and hands its answer on. */
  async function signIn(who: string | null): Promise<Response> {
    const user = who === null ? users[0] : users.find((u) => u.email === who || u.id === who);
    if (user === undefined) {
      return text(404, `No test user ${JSON.stringify(who)}; the users are ${users.map((u) => u.email).join(', ')}.`);
    }
    const csrf = randomBytes(24).toString('base64url');
    const answer = await idp(
      new Request(idp.urls.login, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          origin,
          'sec-fetch-site': 'same-origin',
          'content-type': 'application/x-www-form-urlencoded',
          cookie: `${cookies.csrf}=${csrf}`,
        },
        body: new URLSearchParams({ csrf, email: user.email, password: user.password }).toString(),
      }),
    );
    if (answer.status !== 200) return text(500, `The IdP refused the test sign-in of ${user.email}: ${answer.status} ${await answer.text()}`);
    const headers = new Headers({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'set-login': 'logged-in' });
    for (const line of answer.headers.getSetCookie()) if (line.startsWith(`${cookies.session}=`)) headers.append('set-cookie', line);
    return new Response(`<!doctype html><meta charset="utf-8"><title>Signed in</title><p id="user">Signed in as ${escapeHtml(user.name)} (${escapeHtml(user.email)}).</p>`, { headers });
  }

  async function signOut(request: Request): Promise<Response> {
    const csrf = randomBytes(24).toString('base64url');
    const cookie = [request.headers.get('cookie'), `${cookies.csrf}=${csrf}`].filter((c) => c !== null).join('; ');
    const answer = await idp(
      new Request(idp.urls.logout, {
        method: 'POST',
        headers: { accept: 'application/json', origin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ csrf }).toString(),
      }),
    );
    const headers = new Headers({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'set-login': 'logged-out' });
    for (const line of answer.headers.getSetCookie()) headers.append('set-cookie', line);
    return new Response('<!doctype html><meta charset="utf-8"><title>Signed out</title><p>Signed out.</p>', { status: answer.status === 200 ? 200 : 500, headers });
  }

  const ownRoute = (pathname: string, method: string): boolean => method === 'GET' && (pathname === SIGN_IN_PATH || pathname === SIGN_OUT_PATH);
  const web = async (request: Request): Promise<Response> => {
    const { pathname, searchParams } = new URL(request.url);
    if (ownRoute(pathname, request.method)) return pathname === SIGN_IN_PATH ? signIn(searchParams.get('user')) : signOut(request);
    return idp(request);
  };
  // The IdP kit's Node path (common/light-http.ts) passed on, so that a server or the agent's
  // in-process transport that takes it does not build a Request and a Response per request; the
  // two test routes answer through the web path.
  const idpLight = lightHandlerOf(idp)!;
  const light: LightHandler = async (request, info) =>
    ownRoute(request.pathname, request.method) ? lightFromResponse(await web(request.toRequest())) : idpLight(request, info);
  const handler = Object.assign(web, { [LIGHT_HANDLER]: light });

  return {
    host,
    origin,
    configURL: idp.configURL,
    clientId: first.id,
    users,
    clients,
    idp,
    store,
    url,
    signInUrl: (user) => url(`${SIGN_IN_PATH}${user === undefined ? '' : `?user=${encodeURIComponent(user)}`}`),
    signOutUrl: () => url(SIGN_OUT_PATH),
    handler,
  };
}

async function unlessStored(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof StoreConflictError)) throw e;
  }
}

function text(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
