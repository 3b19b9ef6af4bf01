// The IdP's popups: the login page (login_url, opened first in active mode when the IdP is
// logged out) and the continuation page (continue_on). A popup ends when the IdP's page says so
// (Set-Login / IdentityProvider.close() / resolve()), the user closes it, or the request ends —
// and then it must be closed, its document request included.

import { NETWORK_ERROR, type HostileCase } from '../case.js';
import { bytes, endless, json, redirectLoop, silence, status } from '../behaviours.js';
import type { Behaviour } from '../server.js';

/** A login form that signs nobody in. */
const FORM = bytes('<form method=post><input name=password></form>', 'text/html');
const ABORTED = { rejects: { name: 'AbortError' } } as const;
/** The assertion answers continue_on, so the continuation page is what the case is about. */
const CONTINUE_ON = { assertion: json({ continue_on: '/continue' }, { cors: true }) };

const login = (name: string, behaviour: Behaviour, extra: Omit<HostileCase, 'name' | 'endpoint' | 'behaviour'>): HostileCase => ({
  name: `login popup: ${name}`,
  endpoint: 'login',
  call: 'get-active-logged-out',
  behaviour,
  ...extra,
});

const continuation = (name: string, behaviour: Behaviour, extra: Omit<HostileCase, 'name' | 'endpoint' | 'behaviour'>): HostileCase => ({
  name: `continuation popup: ${name}`,
  endpoint: 'continue',
  setup: CONTINUE_ON,
  behaviour,
  ...extra,
});

export const popupCases: HostileCase[] = [
  login('never sets the login status; the page aborts', FORM, { abortAfterMs: 300, expect: ABORTED, diagnostic: 'Canceled', timeouts: 0 }),
  login('IdentityProvider.close() without signing in', FORM, {
    popups: { login: (p) => p.frame.IdentityProvider!.close() },
    expect: NETWORK_ERROR,
    diagnostic: 'LoginPopupClosedWithoutSignin',
    timeouts: 0,
  }),
  login('a 500 page the user closes', status(500, '<p>oops</p>', 'text/html'), {
    popups: { login: (p) => p.close() },
    expect: NETWORK_ERROR,
    diagnostic: 'LoginPopupClosedWithoutSignin',
    timeouts: 0,
  }),
  login('the document never answers', silence(), { expect: NETWORK_ERROR, diagnostic: 'LoginPopupClosedWithoutSignin', timeouts: 1 }),
  login('a redirect loop', redirectLoop(), { expect: NETWORK_ERROR, diagnostic: 'LoginPopupClosedWithoutSignin', timeouts: 0 }),
  login('a body that never ends', endless('text/html'), { expect: NETWORK_ERROR, diagnostic: 'LoginPopupClosedWithoutSignin', timeouts: 0 }),
  // The request's end (here the page's abort) ends the popup's document request too: with a
  // 5 s request timeout, the page's abort at 200 ms must settle long before 5 s.
  login('the page aborts while the document loads', silence(), {
    requestTimeoutMs: 5000,
    abortAfterMs: 200,
    expect: ABORTED,
    diagnostic: 'Canceled',
    timeouts: 0,
  }),
  {
    // The user signed in (the login page loaded with Set-Login), but the accounts fetch then
    // fails: the page must learn why (AccountsNoResponse), not that the list was empty.
    name: 'login popup: signed in, then the accounts endpoint answers 500',
    endpoint: 'accounts',
    call: 'get-active-logged-out',
    behaviour: status(500),
    expect: NETWORK_ERROR,
    diagnostic: 'AccountsNoResponse',
    timeouts: 0,
  },
  {
    name: 'login popup: signed in, then an empty accounts list',
    endpoint: 'accounts',
    call: 'get-active-logged-out',
    behaviour: json({ accounts: [] }),
    expect: NETWORK_ERROR,
    diagnostic: 'AccountsListEmpty',
    timeouts: 0,
  },
  continuation('a 500 page that still resolves', status(500, '<p>oops</p>', 'text/html'), { expect: { token: 'continued-token' }, diagnostic: null, timeouts: 0 }),
  continuation('never resolves nor closes; the page aborts', bytes('<p>wait</p>', 'text/html'), {
    popups: { continuation: () => {} },
    abortAfterMs: 300,
    expect: ABORTED,
    diagnostic: 'Canceled',
    timeouts: 0,
  }),
  continuation('IdentityProvider.close()', bytes('<p>no</p>', 'text/html'), {
    popups: { continuation: (p) => p.frame.IdentityProvider!.close() },
    expect: NETWORK_ERROR,
    diagnostic: 'ContinuationPopupClosedByUser',
    timeouts: 0,
  }),
  continuation('the document never answers', silence(), { expect: NETWORK_ERROR, diagnostic: 'ContinuationPopupClosedByUser', timeouts: 1 }),
  continuation('a redirect loop', redirectLoop(), { expect: NETWORK_ERROR, diagnostic: 'ContinuationPopupClosedByUser', timeouts: 0 }),
  continuation('the page aborts while the document loads', silence(), {
    requestTimeoutMs: 5000,
    abortAfterMs: 200,
    expect: ABORTED,
    diagnostic: 'Canceled',
    timeouts: 0,
  }),
];

