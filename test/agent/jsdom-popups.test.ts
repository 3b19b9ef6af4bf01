// Unmodified IdP pages running in the agent's popups with jsdom: a login form posted to the
// IdP, a WPT-style login page using document.cookie + navigator.login.setStatus(), and a
// continuation page calling IdentityProvider.resolve() from an external script.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { jsdomPopups, type IdentityCredential } from '../../src/agent/index.js';
import { continueOn } from '../fixtures/index.js';
import { rejection, startWorld, type World } from '../helpers/world.js';

const html = (body: string) => ({ headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<!doctype html><html><body>${body}</body></html>` });

let w: World;
const consoleLines: string[] = [];
beforeEach(async () => {
  w = await startWorld({ agent: { popupHost: jsdomPopups({ console: (level, message) => consoleLines.push(`${level}: ${message}`) }) } });
});
afterEach(() => w.close());

async function signInThroughMismatch(): Promise<IdentityCredential> {
  await w.agent.open(w.idp.url('/mark_signedin'));
  const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
  await w.agent.automation.waitForDialog({ type: 'ConfirmIdpLogin' });
  w.agent.automation.clickDialogButton('ConfirmIdpLoginContinue');
  await w.agent.automation.waitForDialog({ type: 'AccountChooser' });
  w.agent.automation.selectAccount(0);
  return (await p) as IdentityCredential;
}

describe('jsdom popup host', () => {
  it('runs a login form: the user submits, the IdP sets its session, the page closes the popup', async () => {
    w.idp.override('login', (req) =>
      html(`<form method="post" action="/login/submit">
        <input type="hidden" name="csrf" value="c-1">
        <input name="email" value="${req.url.searchParams.get('login_hint') ?? ''}">
        <input type="password" name="password" value="hunter2">
        <button id="go">Sign in</button>
      </form>
      <script>document.getElementById('go').click();</script>`),
    );
    const posted: string[] = [];
    w.server.route('https://idp.example', 'POST', '/login/submit', (req) => {
      posted.push(req.body);
      return {
        ...html('<p>Welcome</p><script>IdentityProvider.close()</script>'),
        headers: { 'content-type': 'text/html', 'set-cookie': 'sid=1; SameSite=None; Secure; HttpOnly; Path=/', 'set-login': 'logged-in' },
      };
    });
    const credential = await signInThroughMismatch();
    assert.equal(credential.token, 'token');
    assert.deepEqual(posted, ['csrf=c-1&email=&password=hunter2']);
    const submit = w.server.requestsTo('https://idp.example', '/login/submit')[0];
    assert.equal(submit?.headers['origin'], 'https://idp.example');
    assert.equal(submit?.headers['content-type'], 'application/x-www-form-urlencoded');
  });

  it('runs a WPT-style login page: document.cookie, navigator.login.setStatus(), IdentityProvider.close()', async () => {
    w.idp.override('login', () =>
      html(`<script>
        document.cookie = 'sid=1; SameSite=None; Secure; Path=/';
        navigator.login.setStatus('logged-in').then(() => IdentityProvider.close());
      </script>`),
    );
    assert.equal((await signInThroughMismatch()).token, 'token');
    assert.match(await w.agent.cookies.all().then((c) => c.map((x) => x.name).join(',')), /sid/);
  });

  it('a login page that closes without signing in fails the request', async () => {
    w.idp.override('login', () => html('<script>window.close()</script>'));
    await w.agent.open(w.idp.url('/mark_signedin'));
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog({ type: 'ConfirmIdpLogin' });
    w.agent.automation.clickDialogButton('ConfirmIdpLoginContinue');
    assert.equal(((await rejection(p)) as DOMException).name, 'NetworkError');
  });

  it('runs a continuation page whose external script resolves with a token', async () => {
    await w.signInAtIdp();
    w.idp.setToken(continueOn((req) => `/continue?account=${req.form.get('account_id')}`));
    w.server.route('https://idp.example', 'GET', '/continue', () => html('<p>Allow?</p><script src="/continue.js"></script>'));
    w.server.route('https://idp.example', 'GET', '/continue.js', () => ({
      headers: { 'content-type': 'text/javascript' },
      body: "const id = new URL(location.href).searchParams.get('account'); IdentityProvider.resolve({ code: 'c-' + id }, { accountId: id });",
    }));
    const p = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    assert.deepEqual(((await p) as IdentityCredential).token, { code: 'c-1234' });
    const script = w.server.requestsTo('https://idp.example', '/continue.js')[0];
    assert.deepEqual(script?.cookies, { sid: '1' }, 'subresources carry the IdP cookies, through the agent');
  });
});
