// The local CA and server certificates the demo generates: valid X.509 that Node's TLS and the
// agent accept for the names they list, and only for those.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createAgent } from '../../src/agent/index.js';
import { createCertificateAuthority, issueServerCertificate } from '../../src/common/certificates.js';

describe('local certificates', () => {
  const ca = createCertificateAuthority();
  const leaf = issueServerCertificate(ca, ['idp.example', 'rp.example', '127.0.0.1']);

  it('issues a CA and a server certificate that it signed', () => {
    const caCert = new X509Certificate(ca.cert);
    const cert = new X509Certificate(leaf.cert);
    assert.equal(caCert.ca, true);
    assert.equal(cert.ca, false);
    assert.ok(cert.checkIssued(caCert));
    assert.ok(cert.verify(caCert.publicKey));
    assert.equal(cert.subjectAltName, 'DNS:idp.example, DNS:rp.example, IP Address:127.0.0.1');
    assert.equal(cert.checkHost('rp.example'), 'rp.example');
    assert.equal(cert.checkHost('evil.example'), undefined);
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 396 && days < 398, `valid for ${days} days`);
  });

  it('serves HTTPS that the agent trusts with `ca`, and refuses without it', async () => {
    const server = https.createServer({ cert: leaf.cert, key: leaf.key }, (_req, res) => res.end('<p>ok</p>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const rules = { 'rp.example:443': `127.0.0.1:${port}` };
    const trusting = createAgent({ hostRules: rules, ca: ca.cert });
    const untrusting = createAgent({ hostRules: rules });
    try {
      assert.equal((await trusting.open('https://rp.example/')).response?.body, '<p>ok</p>');
      await assert.rejects(untrusting.open('https://rp.example/'), { reason: 'tls' });
    } finally {
      await trusting.close();
      await untrusting.close();
      server.close();
    }
  });
});
