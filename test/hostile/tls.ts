// A certificate the agent must refuse: self-signed, for the very names the agent asks for, so
// the only thing wrong with it is who signed it. Generated once per process with the openssl CLI,
// like the test CA (test/helpers/certs.ts), in a private temp dir removed straight after.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_HOST_NAMES } from '../helpers/certs.js';

let cached: { certPem: string; keyPem: string } | undefined;

export function untrustedCertificate(): { certPem: string; keyPem: string } {
  cached ??= generate();
  return cached;
}

function generate(): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fedkit-untrusted-'));
  try {
    const san = ['wrongname.example', ...TEST_HOST_NAMES].map((n) => `DNS:${n}`).join(',');
    execFileSync(
      '/usr/bin/openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
        '-subj', '/CN=not the fedkit test CA', '-addext', `subjectAltName=${san}`,
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
