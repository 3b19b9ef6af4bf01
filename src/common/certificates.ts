// Local TLS certificates for running the parties under realistic HTTPS names on loopback (the
// demo, `fedkit idp serve`, tests): a private CA and leaf certificates it signs, built with
// node:crypto alone. X.509 (RFC 5280) is DER; the few structures needed are encoded here.

import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

export interface Certificate {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key: a secret, store it 0600. */
  key: string;
}

// ---- DER (X.690) -------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const seq = (...items: Buffer[]): Buffer => tlv(0x30, ...items);
const set = (...items: Buffer[]): Buffer => tlv(0x31, ...items);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.from([unused]), b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 + n, inner);

function integer(value: Buffer | number): Buffer {
  let b = typeof value === 'number' ? Buffer.from([value]) : value;
  while (b.length > 1 && b[0] === 0 && (b[1] ?? 0) < 0x80) b = b.subarray(1);
  if ((b[0] ?? 0) >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * (parts[0] ?? 0) + (parts[1] ?? 0)];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after. */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

const name = (cn: string): Buffer => seq(set(seq(oid(OID.organization), utf8('fedkit'))), set(seq(oid(OID.commonName), utf8(cn))));
const extension = (id: string, critical: boolean, value: Buffer): Buffer => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyId(spki: Buffer): Buffer {
  // The SPKI is SEQUENCE { algorithm, BIT STRING }; the key bits are the BIT STRING's content.
  const x = new X509Helper(spki);
  return createHash('sha1').update(x.subjectPublicKeyBits()).digest();
}

/** Just enough DER reading to find the subjectPublicKey BIT STRING inside an SPKI. */
class X509Helper {
  constructor(private readonly der: Buffer) {}
  subjectPublicKeyBits(): Buffer {
    let i = this.readHeader(0).contentStart; // into the outer SEQUENCE
    const alg = this.readHeader(i);
    i = alg.contentStart + alg.length; // skip AlgorithmIdentifier
    const bitString = this.readHeader(i);
    return this.der.subarray(bitString.contentStart + 1, bitString.contentStart + bitString.length);
  }
  private readHeader(at: number): { contentStart: number; length: number } {
    const first = this.der[at + 1] ?? 0;
    if (first < 0x80) return { contentStart: at + 2, length: first };
    const n = first & 0x7f;
    let len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + (this.der[at + 2 + k] ?? 0);
    return { contentStart: at + 2 + n, length: len };
  }
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

interface IssueInput {
  subject: string;
  publicKey: KeyObject;
  issuer: { name: string; key: KeyObject; keyId: Buffer };
  days: number;
  ca: boolean;
  hosts: string[];
  now: Date;
}

function issue(input: IssueInput): string {
  const spki = input.publicKey.export({ type: 'spki', format: 'der' });
  const notBefore = new Date(input.now.getTime() - 60_000);
  const notAfter = new Date(input.now.getTime() + input.days * 86_400_000);
  const extensions: Buffer[] = [
    extension(OID.basicConstraints, true, seq(...(input.ca ? [bool(true), integer(0)] : []))),
    // CA: keyCertSign + cRLSign (bits 5, 6); leaf: digitalSignature (bit 0).
    extension(OID.keyUsage, true, input.ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7)),
    extension(OID.subjectKeyIdentifier, false, octets(keyId(spki))),
    extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, input.issuer.keyId))),
  ];
  if (!input.ca) {
    extensions.push(extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))));
    const names = input.hosts.map((h) => {
      const ip = isIP(h.replace(/^\[|\]$/g, ''));
      if (ip === 4) return tlv(0x87, Buffer.from(h.split('.').map(Number)));
      if (ip === 6) return tlv(0x87, ipv6Bytes(h.replace(/^\[|\]$/g, '')));
      return tlv(0x82, Buffer.from(h, 'ascii'));
    });
    extensions.push(extension(OID.subjectAltName, false, seq(...names)));
  }
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    explicit(0, integer(2)),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    name(input.issuer.name),
    seq(time(notBefore), time(notAfter)),
    name(input.subject),
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, input.issuer.key);
  return pem('CERTIFICATE', seq(tbs, algorithm, bits(signature)));
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : address.includes('::') ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return Buffer.from(groups.flatMap((g: string) => {
    const v = parseInt(g, 16);
    return [v >> 8, v & 0xff];
  }));
}

/** A new private CA (P-256, 10 years). */
export function createCertificateAuthority(options: { name?: string; now?: Date } = {}): Certificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subject = options.name ?? 'fedkit local CA';
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const cert = issue({
    subject,
    publicKey,
    issuer: { name: subject, key: privateKey, keyId: keyId(spki) },
    days: 3650,
    ca: true,
    hosts: [],
    now: options.now ?? new Date(),
  });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** A server certificate for `hosts` (DNS names and IP addresses), signed by `ca` (397 days). */
export function issueServerCertificate(ca: Certificate, hosts: string[], options: { now?: Date } = {}): Certificate {
  if (hosts.length === 0) throw new TypeError('issueServerCertificate needs at least one host name.');
  const caCert = new X509Certificate(ca.cert);
  const caKey = createPrivateKey(ca.key);
  const caSpki = caCert.publicKey.export({ type: 'spki', format: 'der' });
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const cert = issue({
    subject: hosts[0] ?? 'localhost',
    publicKey,
    issuer: { name: /CN=([^\n]+)/.exec(caCert.subject)?.[1] ?? 'fedkit local CA', key: caKey, keyId: keyId(caSpki) },
    days: 397,
    ca: false,
    hosts,
    now: options.now ?? new Date(),
  });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
