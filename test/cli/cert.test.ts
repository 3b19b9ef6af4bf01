// `fedkit cert`, run as a real process: the files it makes, that it reuses them, that a real HTTPS
// server with them is trusted under each name through the printed CA and host rules, and the
// Chrome flags (the two-server MAP rules and the certificate's SPKI pin).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { fetch } from 'undici';
import { createDispatcher } from '../../src/common/dispatcher.js';
import { serve } from '../../src/common/node-server.js';

const MAIN = join(process.cwd(), 'dist/src/cli/main.js');
const run = promisify(execFile);

interface CertJson {
  ca: string;
  caCreated: boolean;
  cert: string;
  key: string;
  certCreated: boolean;
  hosts: string[];
  hostResolverRules: string;
  spki: string;
  chrome: string;
}

async function cert(args: string[]): Promise<CertJson> {
  const { stdout } = await run(process.execPath, [MAIN, 'cert', ...args, '--json'], { timeout: 20_000 });
  return JSON.parse(stdout) as CertJson;
}

describe('fedkit cert', { timeout: 60_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-cert-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a CA and one certificate for the names, with private keys 0600, and reuses them', async () => {
    const first = await cert(['idp.example:8443', 'rp.example:8444', '--dir', dir]);
    assert.equal(first.caCreated, true);
    assert.equal(first.certCreated, true);
    assert.deepEqual(first.hosts, ['idp.example', 'rp.example']);
    assert.equal(first.hostResolverRules, 'MAP idp.example:443 127.0.0.1:8443, MAP rp.example:443 127.0.0.1:8444');
    const leaf = new X509Certificate(readFileSync(first.cert));
    assert.equal(leaf.checkIssued(new X509Certificate(readFileSync(first.ca))), true);
    assert.equal(leaf.subjectAltName, 'DNS:idp.example, DNS:rp.example');
    assert.equal(first.spki, createHash('sha256').update(leaf.publicKey.export({ type: 'spki', format: 'der' })).digest('base64'));
    assert.match(first.chrome, new RegExp(`--host-resolver-rules="${first.hostResolverRules}" --ignore-certificate-errors-spki-list=${first.spki.replace(/[+/]/g, '\\$&')} https://rp\\.example/$`));
    for (const key of [first.key, join(dir, 'ca-key.pem')]) assert.equal(statSync(key).mode & 0o777, 0o600);

    const again = await cert(['idp.example', 'rp.example', '--dir', dir]);
    assert.deepEqual([again.caCreated, again.certCreated, again.spki], [false, false, first.spki]);
    const more = await cert(['idp.example', 'rp.example', 'accounts.idp.example', '--dir', dir]);
    assert.deepEqual([more.caCreated, more.certCreated], [false, true], 'a new name needs a new certificate from the same CA');
    assert.equal(new X509Certificate(readFileSync(more.cert)).checkIssued(new X509Certificate(readFileSync(first.ca))), true);
  });

  it('gives files a real HTTPS server serves, trusted under each name through the CA', async () => {
    const made = await cert(['idp.example', 'rp.example', '--dir', dir]);
    const server = await serve(async (request) => new Response(`hello ${new URL(request.url).hostname}`), {
      port: 0,
      tls: { cert: readFileSync(made.cert), key: readFileSync(made.key) },
    });
    const dispatcher = createDispatcher({ hostRules: `MAP *.example:443 127.0.0.1:${server.port}`, ca: readFileSync(made.ca, 'utf8') });
    try {
      for (const host of ['idp.example', 'rp.example']) {
        const res = await fetch(`https://${host}/`, { dispatcher });
        assert.equal(await res.text(), `hello ${host}`);
      }
      const untrusted = createDispatcher({ hostRules: `MAP *.example:443 127.0.0.1:${server.port}` });
      await assert.rejects(fetch('https://idp.example/', { dispatcher: untrusted }), 'without the CA the certificate is not trusted');
      await untrusted.close();
    } finally {
      await dispatcher.close();
      await server.close();
    }
  });

  it('refuses what is not a host name, and no names at all (exit 2)', async () => {
    for (const args of [[], ['not a host'], ['idp.example:99999'], ['-x']]) {
      await assert.rejects(run(process.execPath, [MAIN, 'cert', ...args, '--dir', dir], { timeout: 20_000 }), (e: { code?: number; stderr?: string }) => e.code === 2 && /^fedkit: /.test(e.stderr ?? ''));
    }
  });
});
