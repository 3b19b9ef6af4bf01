// Frames: the identity-credentials-get permissions policy, cross-site iframes and opaque
// origins (WPT fedcm-iframe, fedcm-opaque-rp-origin, third-party-iframe).

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { IdentityCredential } from '../../src/agent/index.js';
import { rejection, startWorld, type World } from '../helpers/world.js';

describe('iframes', () => {
  let w: World;
  before(async () => {
    w = await startWorld();
    w.agent.on('dialogShown', (d) => {
      if (d.dialogType === 'AccountChooser') setImmediate(() => w.agent.automation.selectAccount(0));
    });
  });
  after(() => w.close());
  beforeEach(() => w.signInAtIdp());

  const get = (frame: typeof w.page) => frame.navigator.credentials!.get({ identity: { providers: [w.provider()] } });

  it('a cross-origin iframe without allow= is refused with NotAllowedError', async () => {
    const frame = await w.page.openFrame('https://other.example/');
    const e = (await rejection(get(frame))) as DOMException;
    assert.equal(e.name, 'NotAllowedError');
    assert.equal(e.message, "The 'identity-credentials-get' feature is not enabled in this document.");
    assert.equal(w.agent.diagnostics.at(-1)?.reason, 'PermissionsPolicyDenied');
  });

  it('a same-origin iframe needs no allow=, a cross-origin one works with it', async () => {
    const same = await w.page.openFrame('https://rp.example/iframe');
    assert.ok((await get(same)) instanceof IdentityCredential);
    const allowed = await w.page.openFrame('https://other.example/', { allow: 'identity-credentials-get' });
    assert.ok((await get(allowed)) instanceof IdentityCredential);
    const star = await w.page.openFrame('https://other.example/', { allow: 'identity-credentials-get *' });
    assert.ok((await get(star)) instanceof IdentityCredential);
    const none = await w.page.openFrame('https://other.example/', { allow: "identity-credentials-get 'none'" });
    assert.equal(((await rejection(get(none))) as Error).name, 'NotAllowedError');
  });

  it('nested iframes need the policy at every level', async () => {
    const middle = await w.page.openFrame('https://other.example/', { allow: 'identity-credentials-get' });
    const inner = await middle.openFrame('https://rp2.example/', { allow: 'identity-credentials-get' });
    assert.ok((await get(inner)) instanceof IdentityCredential);
    const middleWithout = await w.page.openFrame('https://other.example/');
    const innerWith = await middleWithout.openFrame('https://rp2.example/', { allow: 'identity-credentials-get' });
    assert.equal(((await rejection(get(innerWith))) as Error).name, 'NotAllowedError');
    const innerWithout = await middle.openFrame('https://rp2.example/');
    assert.equal(((await rejection(get(innerWithout))) as Error).name, 'NotAllowedError');
  });

  it('records the connection for the (embedder, iframe) pair and sends top_frame_origin', async () => {
    const frame = await w.page.openFrame('https://other.example/', { allow: 'identity-credentials-get' });
    w.server.clearRequests();
    await get(frame);
    const metadata = w.server.requestsTo('https://idp.example', '/fedcm/client_metadata')[0];
    assert.equal(metadata?.url, 'https://idp.example/fedcm/client_metadata?client_id=123&top_frame_origin=https%3A%2F%2Frp.example');
    assert.equal(metadata?.headers['origin'], 'https://other.example');
    const connections = w.agent.profile.connections({ embedder: 'https://rp.example', rp: 'https://other.example', idp: 'https://idp.example' });
    assert.deepEqual(connections.map((c) => c.accountId), ['1234']);
  });

  it('names the iframe in the title when the IdP says it is a third party (WPT third-party-iframe)', async () => {
    w.idp.setClientMetadata({ client_is_third_party_to_top_frame_origin: true, privacy_policy_url: 'https://other.example/pp' });
    const frame = await w.page.openFrame('https://other.example/', { allow: 'identity-credentials-get' });
    const p = frame.navigator.credentials!.get({ identity: { providers: [w.provider()] }, mediation: 'required' });
    const d = await w.agent.automation.waitForDialog();
    assert.equal(d.title, 'Sign in to other.example with idp.example');
    assert.equal(d.subtitle, 'on rp.example');
    await p;
  });

  it('a sandboxed (opaque origin) document gets NetworkError (WPT fedcm-opaque-rp-origin)', async () => {
    const frame = await w.page.openFrame('https://rp.example/iframe', { sandbox: true, allow: 'identity-credentials-get' });
    assert.equal(frame.origin, 'null');
    const e = (await rejection(get(frame))) as DOMException;
    assert.equal(e.name, 'NetworkError');
    assert.equal((e.cause as { reason: string }).reason, 'RelyingPartyOriginIsOpaque');
  });
});
