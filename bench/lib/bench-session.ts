// The benchmark IdP's session shortcut (https://idp.example/__bench/session): a session for the
// demo user written straight to the store, answered with its cookie and Set-Login, so an agent or
// a browser context is signed in with one request. Served by the system child and by the
// handlers contender alike.

import { randomBytes } from 'node:crypto';
import { DEMO_USER } from '../../src/cli/system.js';
import { sha256 } from '../../src/idp/context.js';
import type { Store } from '../../src/idp/index.js';

export const BENCH_SESSION_PATH = '/__bench/session';

/** Creates a day-long session for the demo user and answers with its cookie. */
export async function benchSession(store: Store): Promise<Response> {
  const id = randomBytes(32).toString('base64url');
  const now = Date.now();
  await store.createSession({ idHash: sha256(id), userId: DEMO_USER.id, createdAt: now, expiresAt: now + 86_400_000 });
  const headers = new Headers({ 'content-type': 'text/html; charset=utf-8', 'set-login': 'logged-in' });
  headers.append('set-cookie', `fedkit_session=${id}; Path=/; HttpOnly; SameSite=None; Secure; Max-Age=86400`);
  return new Response('<!doctype html><p>signed in</p>', { headers });
}
