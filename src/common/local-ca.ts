// A local CA and server certificates kept in a directory: made on first use, reused while they
// are valid for more than 30 days (and, for a server certificate, cover the names asked for and
// were issued by this CA), renewed otherwise. `fedkit demo` and `fedkit cert` keep theirs here.

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { createCertificateAuthority, issueServerCertificate, type Certificate } from './certificates.js';

const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface KeptCertificate extends Certificate {
  certFile: string;
  keyFile: string;
  /** False when it was already there and still good. */
  created: boolean;
}

/** Private keys: created 0600 (and fixed if an older file was wider). */
function writeSecret(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function fresh(cert: X509Certificate): boolean {
  return Date.parse(cert.validTo) > Date.now() + RENEW_BEFORE_MS;
}

/** The CA in `dir` (`ca.pem`, `ca-key.pem`), created when missing or about to expire. */
export function localCa(dir: string, name: string): KeptCertificate {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca-key.pem');
  if (existsSync(certFile) && existsSync(keyFile) && fresh(new X509Certificate(readFileSync(certFile)))) {
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile, created: false };
  }
  const ca = createCertificateAuthority({ name });
  writeSecret(keyFile, ca.key);
  writeFileSync(certFile, ca.cert);
  return { ...ca, certFile, keyFile, created: true };
}

/** A server certificate for `hosts` in `dir` (`<base>.pem`, `<base>-key.pem`), signed by `ca`. */
export function localServerCertificate(dir: string, ca: Certificate, hosts: readonly string[], base: string): KeptCertificate {
  const certFile = join(dir, `${base}.pem`);
  const keyFile = join(dir, `${base}-key.pem`);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = new X509Certificate(readFileSync(certFile));
    const names = (cert.subjectAltName ?? '').split(', ').map((n) => n.replace(/^(DNS|IP Address):/, ''));
    if (fresh(cert) && cert.checkIssued(new X509Certificate(ca.cert)) && hosts.every((h) => names.includes(h))) {
      return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile, created: false };
    }
  }
  const server = issueServerCertificate(ca, [...hosts]);
  writeSecret(keyFile, server.key);
  writeFileSync(certFile, server.cert);
  return { ...server, certFile, keyFile, created: true };
}

/**
 * Base64 SHA-256 of the certificate's public key (SPKI): what Chromium's
 * `--ignore-certificate-errors-spki-list` takes, so Chrome trusts this certificate and no other.
 */
export function spkiFingerprint(cert: string): string {
  const der = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}
