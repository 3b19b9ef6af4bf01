// Which IdP cookies go with FedCM's credentialed requests (WPT fedcm-same-site-none): a
// cross-site RP sends only SameSite=None cookies; a same-site RP sends them all. Every withheld
// cookie is explained.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startWorld, type World } from '../helpers/world.js';

describe('cookies on FedCM requests', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
    await w.signInAtIdp();
    await w.agent.cookies.set('https://idp.example/', 'lax=1; SameSite=Lax; Secure');
    await w.agent.cookies.set('https://idp.example/', 'strict=1; SameSite=Strict; Secure');
    await w.agent.cookies.set('https://idp.example/', 'unspecified=1; Secure');
    w.agent.on('dialogShown', (d) => {
      if (d.dialogType === 'AccountChooser') setImmediate(() => w.agent.automation.selectAccount(0));
    });
    w.server.clearRequests();
  });
  afterEach(() => w.close());

  it('a cross-site RP sends only SameSite=None cookies, and says why the others stayed home', async () => {
    await w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    const accounts = w.server.requestsTo('https://idp.example', '/fedcm/accounts')[0];
    const token = w.server.requestsTo('https://idp.example', '/fedcm/token')[0];
    assert.deepEqual(accounts?.cookies, { sid: '1' });
    assert.deepEqual(token?.cookies, { sid: '1' });
    assert.equal(w.server.requestsTo('https://idp.example', '/fedcm/config.json')[0]?.headers['cookie'], undefined);
    const withheld = w.agent.diagnostics.filter((d) => d.reason === 'CookieNotSent').map((d) => d.detail);
    assert.ok(withheld.some((d) => /`lax` .*SameSite=Lax.*cross-site/.test(d)), withheld.join('\n'));
    assert.ok(withheld.some((d) => /`strict` .*SameSite=Strict/.test(d)), withheld.join('\n'));
    assert.ok(withheld.some((d) => /`unspecified`/.test(d)), withheld.join('\n'));
    const level = (name: string): string | undefined =>
      w.agent.diagnostics.find((d) => d.reason === 'CookieNotSent' && d.detail.includes(`\`${name}\``))?.level;
    assert.equal(level('lax'), 'warning', 'a cookie withheld for SameSite=Lax is the classic mistake');
    assert.equal(level('unspecified'), 'warning', 'a cookie without SameSite defaults to Lax: the same mistake');
    assert.equal(level('strict'), 'info', 'a SameSite=Strict cookie was meant to stay home: information, not a warning');
  });

  it('a same-site RP sends all of them', async () => {
    const sameSite = await w.agent.open('https://www.idp.example/', { load: false });
    await sameSite.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
    const accounts = w.server.requestsTo('https://idp.example', '/fedcm/accounts')[0];
    assert.deepEqual(accounts?.cookies, { sid: '1', lax: '1', strict: '1', unspecified: '1' });
    assert.equal(accounts?.headers['sec-fetch-site'], 'same-site');
  });
});
