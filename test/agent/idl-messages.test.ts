// The exact page-visible messages of get()'s and disconnect()'s argument checks, as Chromium 156
// words them: WebIDL conversion errors with the whole chain of members and the operation's prefix
// ("Failed to execute 'get' on 'CredentialsContainer': …"), the renderer's own TypeErrors, and
// the DOMExceptions that carry no prefix. Each text is one Chromium produced (the goldens of
// test/differential, abort-idl, mediation and disconnect groups, or a run of /usr/bin/chromium).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAgent, type Agent, type CredentialRequestOptions, type Frame } from '../../src/agent/index.js';
import { rejection, startWorld, type World } from '../helpers/world.js';

const CONFIG = 'https://idp.example/fedcm/config.json';
const GET = "Failed to execute 'get' on 'CredentialsContainer': ";
const IDENTITY = `${GET}Failed to read the 'identity' property from 'CredentialRequestOptions': `;
const PROVIDERS = `${IDENTITY}Failed to read the 'providers' property from 'IdentityCredentialRequestOptions': `;

describe("get()'s and disconnect()'s messages, as Chromium's", () => {
  let agent: Agent;
  let page: Frame;
  before(async () => {
    agent = createAgent();
    page = await agent.open('https://rp.example/', { load: false });
  });
  after(() => agent.close());

  const get = (options: unknown) => page.navigator.credentials!.get(options as CredentialRequestOptions);
  async function expectError(p: Promise<unknown>, ctor: 'TypeError' | 'DOMException', name: string, message: string): Promise<void> {
    const e = (await rejection(p)) as Error;
    assert.equal(e.constructor.name, ctor, `constructor of ${String(e)}`);
    assert.equal(e.name, name);
    assert.equal(e.message, message);
  }

  const typeErrors: [string, unknown, string][] = [
    ['empty providers', { identity: { providers: [] } }, `${GET}Need at least one identity provider.`],
    ['fields not a sequence', { identity: { providers: [{ configURL: CONFIG, clientId: '1', fields: 5 }] } }, `${PROVIDERS}Failed to read the 'fields' property from 'IdentityProviderRequestOptions': The provided value cannot be converted to a sequence.`],
    ['identity a string', { identity: 'x' }, `${IDENTITY}The provided value is not of type 'IdentityCredentialRequestOptions'.`],
    ['identity without providers', { identity: {} }, `${IDENTITY}Failed to read the 'providers' property from 'IdentityCredentialRequestOptions': Required member is undefined.`],
    ['invalid context', { identity: { providers: [{ configURL: CONFIG, clientId: '1' }], context: 'bogus' } }, `${IDENTITY}Failed to read the 'context' property from 'IdentityCredentialRequestOptions': The provided value 'bogus' is not a valid enum value of type IdentityCredentialRequestOptionsContext.`],
    ['invalid mode', { identity: { providers: [{ configURL: CONFIG, clientId: '1' }], mode: 'bogus' } }, `${IDENTITY}Failed to read the 'mode' property from 'IdentityCredentialRequestOptions': The provided value 'bogus' is not a valid enum value of type IdentityCredentialRequestOptionsMode.`],
    ['provider without clientId', { identity: { providers: [{ configURL: CONFIG }] } }, `${GET}Missing the provider's clientId.`],
    ['provider without configURL', { identity: { providers: [{ clientId: '1' }] } }, `${PROVIDERS}Failed to read the 'configURL' property from 'IdentityProviderConfig': Required member is undefined.`],
    ['providers not a sequence', { identity: { providers: 5 } }, `${PROVIDERS}The provided value cannot be converted to a sequence.`],
    ['a provider that is a string', { identity: { providers: ['x'] } }, `${PROVIDERS}The provided value is not of type 'IdentityProviderRequestOptions'.`],
    ['clientId a Symbol', { identity: { providers: [{ configURL: CONFIG, clientId: Symbol('s') }] } }, `${PROVIDERS}Failed to read the 'clientId' property from 'IdentityProviderConfig': Cannot convert a Symbol value to a string`],
    ['eleven providers', { identity: { providers: Array.from({ length: 11 }, (_, i) => ({ configURL: `https://idp${i}.example/c.json`, clientId: '1' })) } }, `${GET}More than 10 providers are not allowed.`],
    ['invalid mediation', { mediation: 'sometimes', identity: { providers: [{ configURL: CONFIG, clientId: '1' }] } }, `${GET}Failed to read the 'mediation' property from 'CredentialRequestOptions': The provided value 'sometimes' is not a valid enum value of type CredentialMediationRequirement.`],
    ['otp not a dictionary', { otp: 5 }, `${GET}Failed to read the 'otp' property from 'CredentialRequestOptions': The provided value is not of type 'OTPCredentialRequestOptions'.`],
    ['federated not a dictionary', { federated: 5 }, `${GET}Failed to read the 'federated' property from 'CredentialRequestOptions': The provided value is not of type 'FederatedCredentialRequestOptions'.`],
    ['federated providers not a sequence', { federated: { providers: 5 } }, `${GET}Failed to read the 'federated' property from 'CredentialRequestOptions': Failed to read the 'providers' property from 'FederatedCredentialRequestOptions': The provided value cannot be converted to a sequence.`],
    ['publicKey challenge not a buffer', { publicKey: { challenge: 5 } }, `${GET}Failed to read the 'publicKey' property from 'CredentialRequestOptions': Failed to read the 'challenge' property from 'PublicKeyCredentialRequestOptions': The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.`],
    ['signal not an AbortSignal', { signal: 5, identity: { providers: [{ configURL: CONFIG, clientId: '1' }] } }, `${GET}Failed to read the 'signal' property from 'CredentialRequestOptions': Failed to convert value to 'AbortSignal'.`],
  ];
  for (const [what, options, message] of typeErrors) {
    it(`TypeError: ${what}`, () => expectError(get(options), 'TypeError', 'TypeError', message));
  }

  it("an exception of the page's own getter passes unchanged, without the prefix", async () => {
    const own = new TypeError('mine');
    const options = {
      identity: {
        get providers() {
          throw own;
        },
      },
    };
    assert.equal(await rejection(get(options)), own);
  });

  it('DOMExceptions carry no prefix', async () => {
    await expectError(get({ identity: { providers: [{ configURL: 'test', clientId: '1' }] } }), 'DOMException', 'InvalidStateError', 'Provider 1 information is incomplete.');
    await expectError(get({ identity: { providers: [{ configURL: CONFIG, clientId: '' }] } }), 'DOMException', 'InvalidStateError', 'Provider 1 information is incomplete.');
    await expectError(get({}), 'DOMException', 'NotSupportedError', 'No credential type was specified in the request.');
  });

  it('disconnect(): the conversion, and a missing clientId in Chromium words', async () => {
    const disconnect = (o: unknown) => page.IdentityCredential!.disconnect(o as { configURL: string; clientId: string; accountHint: string });
    await expectError(disconnect({ configURL: CONFIG, clientId: '1' }), 'TypeError', 'TypeError', "Failed to execute 'disconnect' on 'IdentityCredential': Failed to read the 'accountHint' property from 'IdentityCredentialDisconnectOptions': Required member is undefined.");
    await expectError(disconnect({ clientId: '1', accountHint: 'a' }), 'TypeError', 'TypeError', "Failed to execute 'disconnect' on 'IdentityCredential': Failed to read the 'configURL' property from 'IdentityProviderConfig': Required member is undefined.");
    await expectError(disconnect({ configURL: CONFIG, accountHint: 'a' }), 'TypeError', 'TypeError', 'clientId is required');
    await expectError(disconnect({ configURL: 'nope', clientId: '1', accountHint: 'a' }), 'DOMException', 'InvalidStateError', 'configURL is invalid');
    await expectError(disconnect({ configURL: CONFIG, clientId: '', accountHint: 'a' }), 'DOMException', 'NetworkError', 'Error disconnecting account.');
  });
});

describe('the document refuses before any request', () => {
  let w: World;
  before(async () => {
    w = await startWorld();
    await w.signInAtIdp();
  });
  after(() => w.close());

  const refused = async (page: Frame): Promise<void> => {
    const fetched: string[] = [];
    const onFetch = (r: { url: string }): void => void fetched.push(r.url);
    w.agent.on('fetch', onFetch);
    try {
      const e = (await rejection(page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }))) as DOMException;
      assert.equal(e.name, 'NotAllowedError');
      assert.equal(e.message, "The 'identity-credentials-get' feature is not enabled in this document.");
      assert.deepEqual(fetched.filter((u) => u.startsWith('https://idp.example')), [], 'no request to the IdP');
    } finally {
      w.agent.off('fetch', onFetch);
    }
  };

  it('Permissions-Policy identity-credentials-get=() on the top page: NotAllowedError, no request', async () => {
    w.rp.setHeaders({ 'permissions-policy': 'identity-credentials-get=()' }, '/pp');
    w.rp.page('/pp', '<!doctype html><title>PP</title>');
    const top = await w.agent.open(w.rp.url('/pp'));
    await refused(top);
    // A same-origin iframe inherits the top page's refusal (Permissions Policy "inherited policy").
    w.rp.page('/pp-frame', '<!doctype html><title>frame</title>');
    await refused(await top.openFrame(w.rp.url('/pp-frame')));
    top.close();
  });

  it('a policy naming the page itself (self) still allows it', async () => {
    w.rp.setHeaders({ 'permissions-policy': 'identity-credentials-get=(self)' }, '/pp-self');
    w.rp.page('/pp-self', '<!doctype html><title>PP self</title>');
    const top = await w.agent.open(w.rp.url('/pp-self'));
    assert.equal(top.allowsFeature('identity-credentials-get'), true);
    top.close();
  });

  it("CSP connect-src refusing the config: NetworkError in get()'s words, no request", async () => {
    w.rp.setHeaders({ 'content-security-policy': "connect-src 'self'" }, '/csp');
    w.rp.page('/csp', '<!doctype html><title>CSP</title>');
    const top = await w.agent.open(w.rp.url('/csp'));
    const e = (await rejection(top.navigator.credentials!.get({ identity: { providers: [w.provider()] } }))) as DOMException;
    assert.equal(e.name, 'NetworkError');
    assert.equal(e.message, `Failed to execute 'get' on 'CredentialsContainer': Refused to connect to '${w.idp.configURL}' because it violates the document's Content Security Policy.`);
    top.close();
  });
});

describe("abort: the page's own reason object rejects", () => {
  let w: World;
  before(async () => {
    w = await startWorld();
    await w.signInAtIdp();
  });
  after(() => w.close());

  it('aborted before the call, without a reason: the signal\'s default reason itself, not a rewritten one', async () => {
    const c = new AbortController();
    c.abort();
    const e = await rejection(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, signal: c.signal }));
    assert.equal(e, c.signal.reason);
  });

  it('aborted while the chooser is shown, with and without a reason: that very object', { timeout: 5_000 }, async () => {
    for (const reason of [undefined, { mine: true }, 'page gave up']) {
      const c = new AbortController();
      const onDialog = (): void => void setImmediate(() => (reason === undefined ? c.abort() : c.abort(reason)));
      w.agent.once('dialogShown', onDialog);
      const e = await rejection(w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] }, signal: c.signal }));
      assert.equal(e, c.signal.reason, `reason ${JSON.stringify(reason)}`);
      if (reason !== undefined) assert.equal(e, reason);
    }
  });
});
