// The RP a test signs in to: fedkit's reference RP app (a page with "Sign in with <IdP>" whose
// own script calls navigator.credentials.get(), token verification against the IdP's JWKS,
// users and sessions in memory or an SQLite file), and in front of it any pages of the test's own.

import { createRpApp, type RpApp } from '../rp/app/app.js';

export interface TestRpOptions {
  /** The RP's host name (default `rp.example`). It is served as `https://<host>`. */
  host?: string;
  /** The IdP to sign in with: a test IdP, or any IdP's config URL and client id. */
  idp: { configURL: string; clientId: string };
  /** The app's name on its pages (default "Acme Notes"). */
  appName?: string;
  /** The app's SQLite file for its users, sessions and nonces (default: in memory). */
  database?: string;
  /**
   * The test's own pages, tried first: answer a Response, or undefined to let the reference
   * RP app answer (`/`, `/session`, `/signout`, …).
   */
  pages?: (request: Request) => Response | undefined | Promise<Response | undefined>;
}

/** The test RP before it listens. */
export interface TestRpParts {
  readonly host: string;
  readonly origin: string;
  /** An absolute URL on the RP. */
  url(path?: string): string;
  /** The reference RP app (its store has the users who signed in). */
  readonly app: RpApp;
  readonly handler: (request: Request) => Promise<Response>;
}

/** Builds the test RP; `fetch` is how its server reaches the IdP (discovery, JWKS). */
export function createTestRp(options: TestRpOptions, fetch: typeof globalThis.fetch): TestRpParts {
  const host = options.host ?? 'rp.example';
  const origin = `https://${host}`;
  const app = createRpApp({
    origin,
    idp: { configURL: options.idp.configURL, clientId: options.idp.clientId },
    ...(options.appName === undefined ? {} : { appName: options.appName }),
    ...(options.database === undefined ? {} : { database: options.database }),
    fetch: (url, init) => fetch(url, init as RequestInit),
  });
  const handler = async (request: Request): Promise<Response> => (await options.pages?.(request)) ?? app.fetch(request);
  return { host, origin, url: (path = '/') => new URL(path, `${origin}/`).href, app, handler };
}
