// The generic CredentialsContainer algorithms (Credential Management §2.5), re-expressing WPT
// credential-management/: credentialscontainer-get-basics, credentialscontainer-create-basics,
// credentialscontainer-prevent-silent-access, credentialscontainer-frame-basics,
// non-fully-active, require_securecontext, idlharness (statics), plus the registry's rules.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Credential, FederatedCredential, IdentityCredential, PasswordCredential, type Agent, type CredentialCreationOptions, type CredentialRequestOptions, type Frame, type OTPCredential } from '../../../src/agent/index.js';
import { errorName, offlinePage, rejection, tick, wptForm } from './helpers.js';

const PROVIDER = { configURL: 'https://idp.example/fedcm/config.json', clientId: '1' };

describe('get() basics (WPT credentialscontainer-get-basics)', () => {
  let agent: Agent;
  let page: Frame;
  before(async () => ({ agent, page } = await offlinePage()));
  after(() => agent.close());
  // Any value a script may pass: the conversion is what is tested.
  const get = (o?: unknown) => page.navigator.credentials!.get(o as CredentialRequestOptions);

  it('rejects with NotSupportedError without a matching interface', async () => {
    const { signal } = new AbortController();
    for (const o of [undefined, {}, { x: 'y' }, { x: 'y', y: 'z' }, { mediation: 'required' }, { signal }, { signal, mediation: 'required' }, { password: false }]) {
      assert.equal(await errorName(get(o)), 'NotSupportedError', JSON.stringify(o));
    }
  });

  it('rejects with the abort reason exactly as given, before anything else', async () => {
    const c = new AbortController();
    c.abort('custom reason');
    assert.equal(await rejection(get({ signal: c.signal })), 'custom reason');
    for (const reason of [{}, [], new Error('custom error')]) {
      assert.equal(await rejection(get({ signal: AbortSignal.abort(reason) })), reason);
      assert.equal(await rejection(get({ signal: AbortSignal.abort(reason), password: true })), reason);
    }
  });

  it('rejects with the reason when aborted right after the call, with or without a type', async () => {
    const error = new Error('custom error');
    for (const o of [{}, { password: true }, { federated: {} }]) {
      const c = new AbortController();
      const p = get({ ...o, signal: c.signal });
      c.abort(error);
      assert.equal(await rejection(p), error, JSON.stringify(o));
    }
  });

  it('applies the registry\'s "types allowed in the same get() request"', async () => {
    // password and federated go together; nothing else mixes.
    assert.equal(await get({ password: true, federated: {} }), null);
    const pairs: Record<string, unknown>[] = [
      { password: true, identity: { providers: [PROVIDER] } },
      { federated: {}, identity: { providers: [PROVIDER] } },
      { password: true, otp: { transport: ['sms'] } },
      { otp: { transport: ['sms'] }, identity: { providers: [PROVIDER] } },
      { password: true, digital: {} },
    ];
    for (const o of pairs) {
      const e = (await rejection(get(o))) as DOMException;
      assert.equal(e.name, 'NotSupportedError', JSON.stringify(o));
      assert.match(e.message, /cannot be requested together/);
    }
  });

  it('conditional mediation: TypeError for types without it, FedCM keeps Chromium\'s NotSupportedError', async () => {
    for (const o of [{ password: true }, { federated: {} }, { otp: { transport: ['sms'] } }]) {
      assert.equal(((await rejection(get({ ...o, mediation: 'conditional' }))) as Error).constructor, TypeError, JSON.stringify(o));
    }
    assert.equal(await errorName(get({ identity: { providers: [PROVIDER] }, mediation: 'conditional' })), 'NotSupportedError');
    // uiMode "immediate" (§2.3.2): TypeError for types that do not support it; other values are ignored.
    assert.equal(((await rejection(get({ password: true, uiMode: 'immediate' }))) as Error).constructor, TypeError);
    assert.equal(await get({ password: true, uiMode: 'something' }), null);
  });

  it('rejects bogus member types with TypeError from IDL conversion', async () => {
    for (const o of [{ federated: 'nope' }, { otp: 'sms' }, { otp: { transport: ['email'] } }, { otp: { transport: 'sms' } }, { mediation: 'never' }, { signal: {} }, { federated: { providers: 'https://idp.example' } }]) {
      assert.equal(((await rejection(get(o))) as Error).constructor, TypeError, JSON.stringify(o));
    }
  });

  it('reads members in WebIDL order and lets getter exceptions through unchanged', async () => {
    const read: string[] = [];
    const spy = new Proxy(
      { password: true, federated: {}, mediation: 'silent' },
      {
        get(target, key, receiver) {
          if (typeof key === 'string') read.push(key);
          return Reflect.get(target, key, receiver);
        },
      },
    );
    assert.equal(await get(spy), null);
    assert.deepEqual(read, ['digital', 'federated', 'identity', 'mediation', 'otp', 'password', 'publicKey', 'signal', 'uiMode']);
    const boom = new Error('from a getter');
    const hostile = {
      password: true,
      get federated(): never {
        throw boom;
      },
    };
    assert.equal(await rejection(get(hostile)), boom);
    assert.equal(((await rejection(get({ federated: { providers: [Symbol('x')] } }))) as Error).constructor, TypeError);
  });

  it('has isConditionalMediationAvailable() resolving false on every interface (idlharness)', async () => {
    assert.equal(await Credential.isConditionalMediationAvailable(), false);
    assert.equal(await page.PasswordCredential!.isConditionalMediationAvailable(), false);
    assert.equal(await page.FederatedCredential!.isConditionalMediationAvailable(), false);
    assert.equal(await page.OTPCredential!.isConditionalMediationAvailable(), false);
    assert.equal(await IdentityCredential.isConditionalMediationAvailable(), false);
    assert.throws(() => new (page.OTPCredential as unknown as new () => unknown)(), TypeError);
    assert.throws(() => new (PasswordCredential as unknown as new (d: unknown) => unknown)({ id: 'a', password: 'b' }), TypeError);
  });
});

describe('create() basics (WPT credentialscontainer-create-basics)', () => {
  let agent: Agent;
  let page: Frame;
  before(async () => ({ agent, page } = await offlinePage()));
  after(() => agent.close());
  // Any value a script may pass: the conversion is what is tested.
  const create = (o?: unknown) => page.navigator.credentials!.create(o as CredentialCreationOptions);

  it('rejects with NotSupportedError with no argument, an empty one or an unknown key', async () => {
    assert.equal(await errorName(create()), 'NotSupportedError');
    assert.equal(await errorName(create({})), 'NotSupportedError');
    assert.equal(await errorName(create({ bogus_key: 'bogus data' })), 'NotSupportedError');
  });

  it('creates a PasswordCredential from PasswordCredentialData with "" defaults', async () => {
    const c = (await create({ password: { id: 'id', password: 'pencil' } })) as PasswordCredential;
    assert.ok(c instanceof PasswordCredential);
    assert.deepEqual([c.id, c.name, c.iconURL, c.type, c.password], ['id', '', '', 'password', 'pencil']);
  });

  it('creates a PasswordCredential from an HTMLFormElement', async () => {
    const c = (await create({ password: wptForm(page) })) as PasswordCredential;
    assert.deepEqual([c.id, c.name, c.iconURL, c.type, c.password], ['musterman', 'friendly name', 'https://example.com/photo', 'password', 'sekrit']);
  });

  it('creates a FederatedCredential from FederatedCredentialInit', async () => {
    const c = (await create({ federated: { id: 'id', provider: 'https://example.com/' } })) as FederatedCredential;
    assert.ok(c instanceof FederatedCredential);
    assert.deepEqual([c.id, c.name, c.iconURL, c.type, c.provider, c.protocol], ['id', '', '', 'federated', 'https://example.com', null]);
  });

  it('rejects bogus data with TypeError, before counting the types', async () => {
    const typeError = async (o: unknown): Promise<void> => assert.equal(((await rejection(create(o))) as Error).constructor, TypeError, JSON.stringify(o));
    await typeError({ password: 'bogus password data' });
    await typeError({ federated: 'bogus federated data' });
    await typeError({ password: 'bogus password data', federated: 'bogus federated data' });
    // WebAuthn is registered too: its member converts like the others.
    await typeError({ publicKey: 'bogus publicKey data' });
    await typeError({ federated: 'bogus federated data', publicKey: 'bogus publicKey data' });
    await typeError({ password: 'bogus password data', publicKey: 'bogus publicKey data' });
    await typeError({ password: 'bogus password data', federated: 'bogus federated data', publicKey: 'bogus publicKey data' });
    await typeError({ password: {} });
    await typeError({ password: { id: 'id' } });
    await typeError({ federated: { id: 'id' } });
  });

  it('rejects password and federated data together with NotSupportedError', async () => {
    const e = (await rejection(create({ password: { id: 'id', password: 'pencil' }, federated: { id: 'id', provider: 'https://example.com/' } }))) as DOMException;
    assert.equal(e.name, 'NotSupportedError');
    assert.equal(e.message, "Only exactly one of 'password', 'federated', and 'publicKey' credential types are currently supported.");
  });

  it('rejects with the abort reason, before the "no interface" check, also when aborted after the call', async () => {
    const c = new AbortController();
    c.abort('custom reason');
    assert.equal(await rejection(create({ signal: c.signal })), 'custom reason');
    for (const reason of [{}, [], new Error('custom error')]) assert.equal(await rejection(create({ signal: AbortSignal.abort(reason) })), reason);
    const error = new Error('custom error');
    for (const o of [{}, { password: { id: 'id', password: 'pencil' } }]) {
      const late = new AbortController();
      const p = create({ ...o, signal: late.signal });
      late.abort(error);
      assert.equal(await rejection(p), error);
    }
  });

  it('ignores the data\'s origin: a page creates credentials for its own origin only', async () => {
    const c = (await create({ password: { id: 'id', password: 'pencil', origin: 'https://bank.example' } })) as PasswordCredential;
    const store = page.navigator.credentials!.store(c);
    const dialog = await agent.automation.waitForDialog({ type: 'SaveCredential' });
    assert.equal(dialog.origin, 'https://rp.example');
    agent.automation.cancelDialog();
    assert.equal(await store, undefined);
  });
});

describe('store(), preventSilentAccess() and documents', () => {
  let agent: Agent;
  let page: Frame;
  before(async () => ({ agent, page } = await offlinePage()));
  after(() => agent.close());

  it('preventSilentAccess() resolves with undefined (WPT credentialscontainer-prevent-silent-access)', async () => {
    assert.equal(await page.navigator.credentials!.preventSilentAccess(), undefined);
    assert.equal(agent.profile.preventsSilentAccess('https://rp.example'), true);
  });

  it('store() takes a Credential (IDL) and rejects types without [[Store]] with NotSupportedError', async () => {
    const credentials = page.navigator.credentials!;
    assert.equal(((await rejection(credentials.store({ id: 'x', type: 'password' } as never))) as Error).constructor, TypeError);
    assert.equal(((await rejection(credentials.store(undefined as never))) as Error).constructor, TypeError);
    const otp = page.navigator.credentials!.get({ otp: { transport: ['sms'] } });
    agent.sms.receive('@rp.example #ABC123');
    await agent.automation.waitForDialog({ type: 'OtpConsent' });
    agent.automation.selectAccount(0);
    const e = (await rejection(credentials.store((await otp) as OTPCredential))) as DOMException;
    assert.equal(e.name, 'NotSupportedError');
    assert.equal(e.message, 'OTPCredential cannot be stored.');
  });

  it('rejects with InvalidStateError in a detached document, before the signal (WPT non-fully-active)', async () => {
    const frame = await page.openFrame('https://rp.example/frame', { load: false });
    const credentials = frame.navigator.credentials!;
    const form = wptForm(frame);
    const c = new frame.PasswordCredential!({ id: 'a', password: 'b' });
    frame.close();
    const signal = AbortSignal.abort();
    assert.equal(await errorName(credentials.get({ signal, password: true })), 'InvalidStateError');
    assert.equal(await errorName(credentials.create({ signal })), 'InvalidStateError');
    assert.equal(await errorName(credentials.create({ password: form })), 'InvalidStateError');
    assert.equal(await errorName(credentials.preventSilentAccess()), 'InvalidStateError');
    assert.equal(await errorName(credentials.store(c)), 'InvalidStateError');
  });

  it('exposes nothing outside secure contexts (WPT credentialscontainer-frame-basics, require_securecontext)', async () => {
    const insecure = await agent.open('http://rp.example/', { load: false });
    assert.equal(insecure.navigator.credentials, undefined);
    assert.equal(insecure.PasswordCredential, undefined);
    assert.equal(insecure.FederatedCredential, undefined);
    assert.equal(insecure.OTPCredential, undefined);
    const data = await page.openFrame('data:text/html,<p>hi</p>');
    assert.equal(data.navigator.credentials, undefined);
    assert.equal(data.PasswordCredential, undefined);
    const nested = await insecure.openFrame('https://rp.example/', { load: false });
    assert.equal(nested.navigator.credentials, undefined);
  });

  it('allows one pending request per type per document (active credential types)', async () => {
    agent.profile.putStoredCredential({ type: 'password', origin: 'https://rp.example', id: 'u1', password: 'p1', name: '', iconURL: '' });
    const credentials = page.navigator.credentials!;
    const first = credentials.get({ password: true });
    await agent.automation.waitForDialog({ type: 'CredentialChooser' });
    const second = (await rejection(credentials.get({ password: true }))) as DOMException;
    assert.equal(second.name, 'NotAllowedError');
    assert.equal(second.message, 'A request for PasswordCredential is already pending in this document.');
    assert.equal(await errorName(credentials.get({ federated: {}, password: true })), 'NotAllowedError');
    assert.equal(await errorName(credentials.create({ password: { id: 'a', password: 'b' } })), 'NotAllowedError');
    assert.equal(await errorName(credentials.store(new page.PasswordCredential!({ id: 'a', password: 'b' }))), 'NotAllowedError');
    // Another type and another document are not affected.
    assert.equal(await credentials.get({ federated: {} }), null);
    const other = await page.openFrame('https://rp.example/other', { load: false });
    const inOther = other.navigator.credentials!.get({ password: true, mediation: 'silent' });
    assert.equal(await inOther, null);
    agent.automation.cancelDialog();
    assert.equal(await first, null);
    await tick();
    assert.equal(await credentials.get({ password: true, mediation: 'silent' }), null);
    agent.profile.deleteStoredCredential({ type: 'password', origin: 'https://rp.example', id: 'u1' });
  });
});
