// IDL conversion and the Credential Management checks that run before FedCM
// (WPT fedcm-reject-invalid-responses, fedcm-params, fedcm-pending-call-rejected,
// credentialscontainer-get-basics, non-fully-active, fedcm-store).

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createAgent, IdentityCredential, IdentityCredentialError, type Agent, type CredentialRequestOptions, type Frame } from '../../src/agent/index.js';
import { echoField } from '../fixtures/index.js';
import { rejection, startWorld, type World } from '../helpers/world.js';

const CONFIG = 'https://idp.example/fedcm/config.json';

describe('get() before FedCM runs: no network needed', () => {
  let agent: Agent;
  let page: Frame;
  before(async () => {
    agent = createAgent();
    page = await agent.open('https://rp.example/', { load: false });
  });
  after(() => agent.close());

  // Any value a script may pass: the conversion is what is tested.
  const get = (options: unknown) => page.navigator.credentials!.get(options as CredentialRequestOptions);
  const name = async (p: Promise<unknown>) => ((await rejection(p)) as Error).name;

  it('rejects bad provider lists the way Chromium does', async () => {
    assert.equal(await name(get({ identity: { providers: [] } })), 'TypeError');
    assert.equal(await name(get({ identity: { providers: [{ clientId: '1' }] } })), 'TypeError');
    assert.equal(await name(get({ identity: { providers: [{ configURL: CONFIG }] } })), 'TypeError');
    assert.equal(await name(get({ identity: { providers: [{ configURL: 'test', clientId: '1' }] } })), 'InvalidStateError');
    assert.equal(await name(get({ identity: { providers: [{ configURL: CONFIG, clientId: '' }] } })), 'InvalidStateError');
    const eleven = Array.from({ length: 11 }, (_, i) => ({ configURL: `https://idp${i}.example/config.json`, clientId: '1' }));
    const e = (await rejection(get({ identity: { providers: eleven } }))) as Error;
    assert.equal(e.name, 'TypeError');
    assert.equal(e.message, "Failed to execute 'get' on 'CredentialsContainer': More than 10 providers are not allowed.");
  });

  it('rejects bad enums and non-dictionaries with TypeError', async () => {
    assert.equal(await name(get({ identity: { providers: [{ configURL: CONFIG, clientId: '1' }], context: 'login' } })), 'TypeError');
    assert.equal(await name(get({ identity: { providers: [{ configURL: CONFIG, clientId: '1' }], mode: 'button' } })), 'TypeError');
    assert.equal(await name(get({ mediation: 'sometimes', identity: { providers: [] } })), 'TypeError');
    assert.equal(await name(get({ identity: { providers: 'nope' } })), 'TypeError');
    assert.equal(await name(get(42)), 'TypeError');
    assert.equal(await name(get({ signal: {} })), 'TypeError');
  });

  it('propagates an exception thrown while reading params, unchanged (WPT fedcm-params)', async () => {
    const boom = new Error('from a getter');
    const params = {
      get x() {
        throw boom;
      },
    };
    const e = await rejection(get({ identity: { providers: [{ configURL: CONFIG, clientId: '1', params }] } }));
    assert.equal(e, boom);
  });

  it('needs a credential type: no interfaces, unsupported ones, mixing', async () => {
    assert.equal(await name(get({})), 'NotSupportedError');
    assert.equal(await name(get(undefined)), 'NotSupportedError');
    assert.equal(await name(get({ x: 'y' })), 'NotSupportedError');
    // A type the agent does not implement (passwords are implemented now: test/agent/credman).
    assert.equal(await name(get({ digital: {} })), 'NotSupportedError');
    assert.equal(await name(get({ password: true, identity: { providers: [{ configURL: CONFIG, clientId: '1' }] } })), 'NotSupportedError');
  });

  it('rejects conditional mediation and active mode misuse', async () => {
    const provider = { configURL: CONFIG, clientId: '1' };
    assert.equal(await name(get({ mediation: 'conditional', identity: { providers: [provider] } })), 'NotSupportedError');
    assert.equal(await name(get({ mediation: 'silent', identity: { providers: [provider], mode: 'active' } })), 'NotSupportedError');
    assert.equal(await name(get({ identity: { providers: [provider, { ...provider, configURL: 'https://idp2.example/c' }], mode: 'active' } })), 'InvalidStateError');
  });

  it('rejects with the abort reason, exactly as given, even when aborted right after the call', async () => {
    for (const reason of ['a string', {}, [], new Error('e')]) {
      const c = new AbortController();
      c.abort(reason);
      assert.equal(await rejection(get({ signal: c.signal, identity: { providers: [{ configURL: CONFIG, clientId: '1' }] } })), reason);
    }
    const c = new AbortController();
    const p = get({ signal: c.signal });
    c.abort('late');
    assert.equal(await rejection(p), 'late');
  });

  it('rejects in a document that is no longer fully active, before looking at the signal', async () => {
    const top = await agent.open('https://rp.example/', { load: false });
    const frame = await top.openFrame('https://rp.example/frame', { load: false });
    const credentials = frame.navigator.credentials!;
    frame.close();
    const c = new AbortController();
    c.abort('ignored');
    assert.equal(await name(credentials.get({ signal: c.signal })), 'InvalidStateError');
    assert.equal(await name(credentials.preventSilentAccess()), 'InvalidStateError');
    assert.equal(await name(credentials.store({} as never)), 'InvalidStateError');
  });

  it('has no navigator.credentials or navigator.login outside secure contexts', async () => {
    const insecure = await agent.open('http://rp.example/', { load: false });
    assert.equal(insecure.isSecureContext, false);
    assert.equal(insecure.navigator.credentials, undefined);
    assert.equal(insecure.navigator.login, undefined);
    const local = await agent.open('http://localhost:3000/', { load: false });
    assert.equal(local.isSecureContext, true);
    assert.ok(local.navigator.credentials);
    const data = await page.openFrame('data:text/html,hi');
    assert.equal(data.navigator.credentials, undefined);
  });

  it('IdentityCredentialError is a DOMException named IdentityCredentialError (WPT fedcm-error-attribute)', () => {
    const e = new IdentityCredentialError('msg', { error: 'invalid_request', url: 'https://idp.example/err', code: 'ignored' } as never);
    assert.ok(e instanceof DOMException);
    assert.equal(e.name, 'IdentityCredentialError');
    assert.equal(e.message, 'msg');
    assert.equal(e.error, 'invalid_request');
    assert.equal(e.url, 'https://idp.example/err');
    assert.equal(new IdentityCredentialError().error, '');
  });
});

describe('get() with a live IdP', () => {
  let w: World;
  before(async () => {
    w = await startWorld();
  });
  after(() => w.close());
  beforeEach(async () => {
    w.idp.setToken(echoField('params'));
    await w.signInAtIdp();
  });

  it('allows one pending get() per document (WPT fedcm-pending-call-rejected)', async () => {
    const first = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'required' });
    await w.agent.automation.waitForDialog();
    const second = (await rejection(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }))) as DOMException;
    assert.equal(second.name, 'NotAllowedError');
    assert.equal(second.message, 'Only one navigator.credentials.get request may be outstanding at one time.');
    w.agent.automation.selectAccount(0);
    assert.ok((await first) instanceof IdentityCredential);
  });

  it('sends params as JSON and aborts an open dialog with AbortError (WPT fedcm-params, fedcm-abort)', async () => {
    const pending = w.page.navigator.credentials!.get({
      identity: { providers: [w.provider({ params: { 'a string': 'a value', n: 1 } })] },
      mediation: 'required',
    });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    const sent = await pending;
    assert.equal((sent as IdentityCredential).token, 'params={"a string":"a value","n":1}');

    const c = new AbortController();
    const p = w.page.navigator.credentials!.get({ signal: c.signal, identity: { providers: [w.provider()] }, mediation: 'required' });
    await w.agent.automation.waitForDialog();
    c.abort();
    const e = (await rejection(p)) as DOMException;
    assert.equal(e.name, 'AbortError');
    assert.equal(w.agent.automation.currentDialog, null);
    // A later get() works (WPT fedcm-after-abort).
    const again = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'required' });
    await w.agent.automation.waitForDialog();
    w.agent.automation.selectAccount(0);
    assert.ok((await again) instanceof IdentityCredential);
  });

  it('refuses to store an IdentityCredential (WPT fedcm-store)', async () => {
    const credential = (await w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } })) as IdentityCredential;
    const e = (await rejection(w.page.navigator.credentials!.store(credential))) as DOMException;
    assert.equal(e.name, 'NotSupportedError');
  });
});
