// Test TLS certificates: a throw-away CA and one leaf certificate for every test host.
//
// Generated once per process with the openssl CLI (EC P-256) in a private temp dir that is
// removed straight after; only the PEM strings stay, in memory.
//
// Host names: the leaf's SAN lists `*.example`, `example`, `*.idp.example`, `localhost`,
// 127.0.0.1 and ::1. Node's own hostname check (tls.checkServerIdentity, used by undici) refuses
// wildcards directly under a TLD ("*.tld wildcards are not allowed"), so `*.example` alone does
// not let Node reach `idp.example`: the common test hosts are therefore also listed by name
// (TEST_HOST_NAMES). Add a name there when a test needs a new `<name>.example` host.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  /** The CA certificate to trust (PEM). */
  caPem: string;
  /** The leaf (server) certificate (PEM), signed by the CA. */
  certPem: string;
  /** The leaf's private key (PEM, PKCS#8). */
  keyPem: string;
}

/** Host names listed one by one in the leaf's SAN (Node does not accept `*.example` for them). */
export const TEST_HOST_NAMES: readonly string[] = [
  'idp.example',
  'idp2.example',
  'idp3.example',
  'rp.example',
  'rp2.example',
  'rp3.example',
  'other.example',
  'www.rp.example',
  'accounts.idp.example',
  'www.idp.example',
  'api.example',
];

const OPENSSL = '/usr/bin/openssl';
let cached: TestCertificates | undefined;

/** The test CA and leaf certificate, generated on first call and cached for the process. */
export function testCertificates(): TestCertificates {
  cached ??= generate();
  return cached;
}

function generate(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'fedkit-certs-'));
  try {
    const path = (name: string): string => join(dir, name);
    const openssl = (...args: string[]): void => {
      execFileSync(OPENSSL, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    };
    const writePrivate = (name: string, text: string): void => {
      writeFileSync(path(name), text, { mode: 0o600 });
    };

    // Key files are created 0600 first, so openssl (which truncates, keeping the mode) never
    // writes a private key readable by others; the directory itself is 0700 too.
    writePrivate('ca.key', '');
    writePrivate('leaf.key', '');

    // The CA.
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path('ca.key'));
    openssl(
      'req', '-x509', '-new', '-key', path('ca.key'), '-sha256', '-days', '30',
      '-subj', '/CN=fedkit test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-out', path('ca.pem'),
    );

    // The leaf.
    const dnsNames = ['*.example', 'example', '*.idp.example', 'localhost', ...TEST_HOST_NAMES];
    const san = [...dnsNames.map((n) => `DNS:${n}`), 'IP:127.0.0.1', 'IP:::1'].join(',');
    writePrivate(
      'leaf.ext',
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${san}`,
        '',
      ].join('\n'),
    );
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path('leaf.key'));
    openssl('req', '-new', '-key', path('leaf.key'), '-subj', '/CN=fedkit test server', '-out', path('leaf.csr'));
    openssl(
      'x509', '-req', '-in', path('leaf.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'),
      '-CAcreateserial', '-days', '30', '-sha256', '-extfile', path('leaf.ext'), '-out', path('leaf.pem'),
    );

    return {
      caPem: readFileSync(path('ca.pem'), 'utf8'),
      certPem: readFileSync(path('leaf.pem'), 'utf8'),
      keyPem: readFileSync(path('leaf.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
