// The page's Content-Security-Policy connect-src applies to FedCM's configURL (WPT fedcm-csp).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IdentityCredential } from '../../src/agent/index.js';
import { connectSrcViolation, sandboxesOrigin } from '../../src/agent/document/csp.js';
import { rejection, startWorld, type World } from '../helpers/world.js';

describe('sandboxesOrigin', () => {
  it('a sandbox directive makes the origin opaque unless it allows same-origin', () => {
    const h = (v: string) => new Headers({ 'content-security-policy': v });
    assert.equal(sandboxesOrigin(h('sandbox')), true);
    assert.equal(sandboxesOrigin(h('sandbox allow-scripts')), true);
    assert.equal(sandboxesOrigin(h("default-src 'self'; sandbox allow-scripts allow-same-origin")), false);
    assert.equal(sandboxesOrigin(h("default-src 'self'")), false);
    assert.equal(sandboxesOrigin(undefined), false);
  });
});

describe('connectSrcViolation', () => {
  const self = new URL('https://rp.example/page');
  const idp = new URL('https://idp.example/fedcm/config.json');
  const check = (policy: string | null, url = idp): string | null => {
    const headers = new Headers();
    if (policy !== null) headers.set('content-security-policy', policy);
    return connectSrcViolation(headers, self, url)?.directive ?? null;
  };

  it('allows everything without a policy, or without connect-src and default-src', () => {
    assert.equal(check(null), null);
    assert.equal(connectSrcViolation(undefined, self, idp), null);
    assert.equal(check("script-src 'self'; img-src *"), null);
  });

  it("default-src applies when connect-src is absent; 'none' blocks", () => {
    const headers = new Headers({ 'content-security-policy': "default-src 'none'; img-src 'self'" });
    assert.deepEqual(connectSrcViolation(headers, self, idp), { directive: "default-src 'none'", fallback: true });
    assert.equal(check("default-src 'none'; connect-src https://idp.example"), null);
  });

  it("'self', schemes, hosts, wildcards, ports and paths", () => {
    assert.equal(check("connect-src 'self'"), "connect-src 'self'");
    assert.equal(check("connect-src 'self'", new URL('https://rp.example/x')), null);
    assert.equal(check('connect-src https:'), null);
    assert.equal(check('connect-src http:'), null, 'http: also allows https:');
    assert.equal(check('connect-src wss:'), null, 'CSP3 scheme-part match: wss: allows https:');
    assert.equal(check('connect-src ftp:'), 'connect-src ftp:');
    assert.equal(check('connect-src idp.example'), null);
    assert.equal(check('connect-src *.example'), null);
    assert.equal(check('connect-src *.idp.example'), 'connect-src *.idp.example', '*.x does not match x itself');
    assert.equal(check('connect-src *'), null);
    assert.equal(check('connect-src https://idp.example:8443'), 'connect-src https://idp.example:8443');
    assert.equal(check('connect-src https://idp.example:*'), null);
    assert.equal(check('connect-src https://idp.example/fedcm/'), null);
    assert.equal(check('connect-src https://idp.example/fedcm/config.json'), null);
    assert.equal(check('connect-src https://idp.example/other.json'), 'connect-src https://idp.example/other.json');
    assert.equal(check("connect-src 'none' https://idp.example"), null, "'none' next to a source is ignored");
    assert.equal(check("connect-src 'unsafe-inline' 'nonce-abc'"), "connect-src 'unsafe-inline' 'nonce-abc'");
  });

  it('every policy must allow the URL (several headers are several policies)', () => {
    assert.equal(check('connect-src *, connect-src https://other.example'), 'connect-src https://other.example');
  });
});

describe('FedCM honours the page CSP', () => {
  let w: World;
  before(async () => {
    w = await startWorld();
    await w.signInAtIdp();
    w.agent.on('dialogShown', (d) => {
      if (d.dialogType === 'AccountChooser') setImmediate(() => w.agent.automation.selectAccount(0));
    });
  });
  after(() => w.close());

  const open = async (csp: string) => {
    w.server.route('https://rp.example', 'GET', '/csp', () => ({ headers: { 'content-type': 'text/html', 'content-security-policy': csp }, body: '<!doctype html>' }));
    return w.agent.open('https://rp.example/csp');
  };

  it('a configURL outside connect-src is refused before any fetch, with NetworkError', async () => {
    const page = await open("default-src 'none'");
    w.server.clearRequests();
    const e = (await rejection(page.navigator.credentials!.get({ identity: { providers: [w.provider()] } }))) as DOMException;
    assert.equal(e.name, 'NetworkError');
    assert.match((e.cause as { message: string }).message, /violates the document's Content Security Policy/);
    assert.equal(w.server.requestsTo('https://idp.example').length, 0);
  });

  it('connect-src listing the IdP lets the request through', async () => {
    const page = await open("default-src 'none'; connect-src https://idp.example");
    assert.ok((await page.navigator.credentials!.get({ identity: { providers: [w.provider()] } })) instanceof IdentityCredential);
  });
});
