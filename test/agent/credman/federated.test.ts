// FederatedCredential (Credential Management §4): construction, provider identifiers, protocol,
// [[Store]] (a no-op for a known (id, origin, provider)) and the request filters.

import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { FederatedCredential, type Agent, type Dialog, type FederatedCredentialRequestOptions, type Frame } from '../../../src/agent/index.js';
import { errorName, offlinePage, rejection } from './helpers.js';

const RP = 'https://rp.example';

describe('new FederatedCredential(init)', () => {
  let agent: Agent;
  let page: Frame;
  before(async () => ({ agent, page } = await offlinePage()));
  after(() => agent.close());
  const make = (init: unknown): FederatedCredential => new page.FederatedCredential!(init as never);

  it('copies the members; provider is an origin (a trailing slash is accepted); protocol is kept', () => {
    const c = make({ id: 'alice', provider: 'https://accounts.idp.example/', protocol: 'openidconnect', name: 'Alice', iconURL: 'https://idp.example/a.png' });
    assert.ok(c instanceof FederatedCredential);
    assert.ok(c instanceof page.FederatedCredential!);
    assert.deepEqual([c.id, c.type, c.provider, c.protocol, c.name, c.iconURL], ['alice', 'federated', 'https://accounts.idp.example', 'openidconnect', 'Alice', 'https://idp.example/a.png']);
    const d = make({ id: 'bob', provider: 'https://idp.example:8443/login?x=1' });
    assert.deepEqual([d.provider, d.protocol, d.name, d.iconURL], ['https://idp.example:8443', null, '', '']);
    assert.equal(JSON.stringify(d), '{"id":"bob","type":"federated"}');
    assert.match(inspect(d), /provider: "https:\/\/idp.example:8443"/);
  });

  it('throws TypeError for missing or empty id and provider, and providers that are not origins', () => {
    for (const init of [{ provider: 'https://idp.example' }, { id: 'a' }, { id: '', provider: 'https://idp.example' }, { id: 'a', provider: '' }, { id: 'a', provider: 'facebook' }, { id: 'a', provider: 'data:text/plain,x' }, 'a', null]) {
      assert.throws(() => make(init), TypeError, JSON.stringify(init));
    }
    assert.throws(() => new (page.FederatedCredential as unknown as new () => unknown)(), TypeError);
  });

  it('converts members in IDL order and propagates getter exceptions', () => {
    const read: string[] = [];
    const init = new Proxy(
      { id: 'a', provider: 'https://idp.example', protocol: 'oidc', name: '', iconURL: '', origin: RP },
      {
        get(t, k, r) {
          if (typeof k === 'string') read.push(k);
          return Reflect.get(t, k, r);
        },
      },
    );
    make(init);
    assert.deepEqual(read, ['id', 'iconURL', 'name', 'origin', 'protocol', 'provider']);
    const boom = new Error('boom');
    assert.throws(
      () =>
        make({
          id: 'a',
          get provider(): never {
            throw boom;
          },
        }),
      (e) => e === boom,
    );
  });
});

describe('store() and get() for federated credentials', () => {
  let agent: Agent;
  let page: Frame;
  const dialogs: Dialog[] = [];
  beforeEach(async () => {
    ({ agent, page } = await offlinePage());
    agent.on('dialogShown', (d) => dialogs.push(d));
  });
  afterEach(async () => {
    dialogs.length = 0;
    await agent.close();
  });

  it('asks once per (id, origin, provider)', async () => {
    const credentials = page.navigator.credentials!;
    const first = credentials.store(new page.FederatedCredential!({ id: 'alice', provider: 'https://idp.example', protocol: 'openidconnect' }));
    const dialog = await agent.automation.waitForDialog({ type: 'SaveCredential' });
    assert.equal(dialog.title, 'Save sign-in with idp.example for rp.example?');
    assert.deepEqual(dialog.credential, { type: 'federated', id: 'alice', name: '', iconURL: '', provider: 'https://idp.example', protocol: 'openidconnect' });
    agent.automation.clickDialogButton('SaveCredentialConfirm');
    await first;
    // Known: no prompt, even with other user data (§4.2.3 step 2 returns).
    await credentials.store(new page.FederatedCredential!({ id: 'alice', provider: 'https://idp.example/', name: 'Alice' }));
    assert.equal(dialogs.length, 1);
    const other = credentials.store(new page.FederatedCredential!({ id: 'alice', provider: 'https://other-idp.example' }));
    await agent.automation.waitForDialog({ type: 'SaveCredential' });
    agent.automation.clickDialogButton('SaveCredentialConfirm');
    await other;
    assert.deepEqual(
      agent.profile.storedCredentials(RP).map((c) => (c.type === 'federated' ? [c.id, c.provider, c.protocol] : [])),
      [
        ['alice', 'https://idp.example', 'openidconnect'],
        ['alice', 'https://other-idp.example', null],
      ],
    );
    assert.throws(() => agent.automation.clickDialogButton('OtpConsentAllow'), { name: 'AutomationError' });
  });

  it('filters by providers (as origins) and protocols', async () => {
    agent.profile.setSilentAccessAllowed(RP, true);
    agent.profile.putStoredCredential({ type: 'federated', origin: RP, id: 'a', provider: 'https://idp.example', protocol: 'openidconnect', name: '', iconURL: '' });
    agent.profile.putStoredCredential({ type: 'federated', origin: RP, id: 'b', provider: 'https://other.example', protocol: null, name: '', iconURL: '' });
    const get = async (federated: unknown): Promise<string | null> => {
      const c = (await page.navigator.credentials!.get({ federated: federated as FederatedCredentialRequestOptions, mediation: 'silent' })) as FederatedCredential | null;
      return c && `${c.id} ${c.provider} ${String(c.protocol)}`;
    };
    assert.equal(await get({ providers: ['https://idp.example/'] }), 'a https://idp.example openidconnect');
    assert.equal(await get({ providers: ['https://other.example', 'not a url'] }), 'b https://other.example null');
    assert.equal(await get({ protocols: ['openidconnect'] }), 'a https://idp.example openidconnect');
    assert.equal(await get({ providers: ['https://other.example'], protocols: ['openidconnect'] }), null);
    assert.equal(await get({ providers: [] }), null);
    // Both match: two credentials need the chooser, so silent gives null.
    assert.equal(await get({}), null);
    const p = page.navigator.credentials!.get({ federated: {} });
    assert.equal((await agent.automation.waitForDialog({ type: 'CredentialChooser' })).credentials.length, 2);
    agent.automation.selectAccount(1);
    assert.equal(((await p) as FederatedCredential).id, 'b');
  });

  it('checks the store rules: opaque origin, cross-origin frame, foreign origin, insecure icon', async () => {
    const sandboxed = await page.openFrame('https://rp.example/s', { sandbox: true, load: false });
    assert.equal(await errorName(sandboxed.navigator.credentials!.store(new sandboxed.FederatedCredential!({ id: 'a', provider: 'https://idp.example' }))), 'SecurityError');
    assert.equal(await errorName(sandboxed.navigator.credentials!.create({ federated: { id: 'a', provider: 'https://idp.example' } })), 'SecurityError');
    const cross = await page.openFrame('https://other.example/', { load: false });
    assert.equal(await errorName(cross.navigator.credentials!.store(new cross.FederatedCredential!({ id: 'a', provider: 'https://idp.example' }))), 'NotAllowedError');
    const foreign = new page.FederatedCredential!({ id: 'a', provider: 'https://idp.example', origin: 'https://other.example' });
    assert.equal(await errorName(page.navigator.credentials!.store(foreign)), 'SecurityError');
    const insecure = new page.FederatedCredential!({ id: 'a', provider: 'https://idp.example', iconURL: 'http://idp.example/i.png' });
    assert.equal(((await rejection(page.navigator.credentials!.store(insecure))) as DOMException).name, 'SecurityError');
    assert.equal(dialogs.length, 0);
  });
});
