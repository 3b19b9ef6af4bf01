// COSE_Key (RFC 9052 §7, RFC 9053 §2 and §7, RFC 8230 §4) for the three algorithms every
// WebAuthn user agent must understand (WebAuthn §5.2.1.1 "Easily accessing credential data"):
// ES256 (-7, EC2 P-256, uncompressed), EdDSA (-8, OKP Ed25519) and RS256 (-257, RSA). Keys are
// node:crypto KeyObjects; the COSE form is what goes into attested credential data (§6.5.1),
// and the SubjectPublicKeyInfo form is what getPublicKey() returns.

import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, constants, type KeyObject } from 'node:crypto';
import { base64urlEncode } from './base64url.js';
import { CborShapeError, encodeCbor, expectBytes, expectInteger, type CborMap, type CborValue } from './cbor.js';

/** COSEAlgorithmIdentifier values this module implements (IANA COSE Algorithms registry). */
export const COSE_ALGORITHM = { ES256: -7, EdDSA: -8, RS256: -257 } as const;
export type CoseAlgorithm = (typeof COSE_ALGORITHM)[keyof typeof COSE_ALGORITHM];

export const SUPPORTED_ALGORITHMS: readonly CoseAlgorithm[] = [COSE_ALGORITHM.ES256, COSE_ALGORITHM.EdDSA, COSE_ALGORITHM.RS256];

export function isSupportedAlgorithm(alg: number): alg is CoseAlgorithm {
  return (SUPPORTED_ALGORITHMS as readonly number[]).includes(alg);
}

export function algorithmName(alg: number): string {
  switch (alg) {
    case -7:
      return 'ES256';
    case -8:
      return 'EdDSA';
    case -257:
      return 'RS256';
    default:
      return String(alg);
  }
}

// COSE_Key common parameters (RFC 9052 §7.1) and key-type parameters (RFC 9053 §7, RFC 8230 §4).
const KTY = 1;
const ALG = 3;
const KTY_OKP = 1;
const KTY_EC2 = 2;
const KTY_RSA = 3;
const CRV_P256 = 1;
const CRV_ED25519 = 6;
const CRV = -1; // EC2/OKP: crv
const X = -2; // EC2/OKP: x
const Y = -3; // EC2: y
const RSA_N = -1;
const RSA_E = -2;

/** RSA modulus size for new RS256 keys (Chromium's virtual authenticator uses 2048). */
const RSA_BITS = 2048;

/** A new credential key pair for `alg`. */
export function generateCredentialKeyPair(alg: CoseAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (alg) {
    case COSE_ALGORITHM.ES256:
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case COSE_ALGORITHM.EdDSA:
      return generateKeyPairSync('ed25519');
    case COSE_ALGORITHM.RS256:
      return generateKeyPairSync('rsa', { modulusLength: RSA_BITS, publicExponent: 0x10001 });
  }
}

/**
 * Which algorithm a private key can serve. Used when a key arrives as PKCS#8 (WebDriver Add
 * Credential, the profile store) to make sure it matches the algorithm recorded with it.
 */
export function algorithmOfKey(key: KeyObject): CoseAlgorithm | null {
  const type = key.asymmetricKeyType;
  if (type === 'ec') return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? COSE_ALGORITHM.ES256 : null;
  if (type === 'ed25519') return COSE_ALGORITHM.EdDSA;
  if (type === 'rsa') return COSE_ALGORITHM.RS256;
  return null;
}

function b64(jwkMember: string | undefined, what: string): Uint8Array {
  if (jwkMember === undefined) throw new Error(`The key has no ${what}`);
  return new Uint8Array(Buffer.from(jwkMember, 'base64url'));
}

/**
 * The COSE_Key of a public key, encoded in CTAP2 canonical CBOR. WebAuthn §6.5.1: it MUST carry
 * "alg" and the parameters the key type requires, and no other optional parameters.
 */
export function encodeCoseKey(publicKey: KeyObject, alg: CoseAlgorithm): Uint8Array<ArrayBuffer> {
  const jwk = publicKey.export({ format: 'jwk' });
  const map = new Map<number, CborValue>();
  switch (alg) {
    case COSE_ALGORITHM.ES256:
      map.set(KTY, KTY_EC2).set(ALG, alg).set(CRV, CRV_P256).set(X, b64(jwk.x, 'x')).set(Y, b64(jwk.y, 'y'));
      break;
    case COSE_ALGORITHM.EdDSA:
      map.set(KTY, KTY_OKP).set(ALG, alg).set(CRV, CRV_ED25519).set(X, b64(jwk.x, 'x'));
      break;
    case COSE_ALGORITHM.RS256:
      map.set(KTY, KTY_RSA).set(ALG, alg).set(RSA_N, b64(jwk.n, 'n')).set(RSA_E, b64(jwk.e, 'e'));
      break;
  }
  return encodeCbor(map);
}

/**
 * Reads a decoded COSE_Key into a public KeyObject, checking that kty, alg and crv agree (§5.8.5:
 * -7 is P-256 uncompressed, -8 is Ed25519). Unsupported algorithms return null, as
 * getPublicKey() then does; malformed keys throw.
 */
export function decodeCoseKey(map: CborMap): { alg: number; publicKey: KeyObject | null } {
  const kty = expectInteger(map.get(KTY), 'COSE_Key kty');
  const alg = expectInteger(map.get(ALG), 'COSE_Key alg');
  if (!isSupportedAlgorithm(alg)) return { alg, publicKey: null };
  const fixedLength = (value: CborValue, what: string, length: number): Uint8Array => {
    const bytes = expectBytes(value, what);
    if (bytes.byteLength !== length) throw new CborShapeError(`${what} must be ${length} bytes, not ${bytes.byteLength}`, 0);
    return bytes;
  };
  switch (alg) {
    case COSE_ALGORITHM.ES256: {
      if (kty !== KTY_EC2 || map.get(CRV) !== CRV_P256) throw new CborShapeError('An ES256 COSE_Key must have kty 2 (EC2) and crv 1 (P-256)', 0);
      const x = fixedLength(map.get(X), 'COSE_Key x', 32);
      const y = fixedLength(map.get(Y), 'COSE_Key y', 32);
      // createPublicKey rejects points that are not on the curve (§5.8.5's note).
      return { alg, publicKey: createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: base64urlEncode(x), y: base64urlEncode(y) }, format: 'jwk' }) };
    }
    case COSE_ALGORITHM.EdDSA: {
      if (kty !== KTY_OKP || map.get(CRV) !== CRV_ED25519) throw new CborShapeError('An EdDSA COSE_Key must have kty 1 (OKP) and crv 6 (Ed25519)', 0);
      const x = fixedLength(map.get(X), 'COSE_Key x', 32);
      return { alg, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64urlEncode(x) }, format: 'jwk' }) };
    }
    case COSE_ALGORITHM.RS256: {
      if (kty !== KTY_RSA) throw new CborShapeError('An RS256 COSE_Key must have kty 3 (RSA)', 0);
      const n = expectBytes(map.get(RSA_N), 'COSE_Key n');
      const e = expectBytes(map.get(RSA_E), 'COSE_Key e');
      return { alg, publicKey: createPublicKey({ key: { kty: 'RSA', n: base64urlEncode(n), e: base64urlEncode(e) }, format: 'jwk' }) };
    }
  }
}

/** DER SubjectPublicKeyInfo, as AuthenticatorAttestationResponse.getPublicKey() returns. */
export function spki(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

/**
 * An assertion or packed attestation signature (WebAuthn §6.5.5): ES256 as an ASN.1 DER
 * Ecdsa-Sig-Value, RS256 as RSASSA-PKCS1-v1_5 with SHA-256, EdDSA as the raw 64-byte Ed25519
 * signature.
 */
export function signWith(alg: CoseAlgorithm, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  switch (alg) {
    case COSE_ALGORITHM.ES256:
      return new Uint8Array(nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
    case COSE_ALGORITHM.EdDSA:
      return new Uint8Array(nodeSign(null, data, privateKey));
    case COSE_ALGORITHM.RS256:
      return new Uint8Array(nodeSign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PADDING }));
  }
}

/** Verifies a signature made by signWith (used by tests and self-checks). */
export function verifyWith(alg: CoseAlgorithm, publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  switch (alg) {
    case COSE_ALGORITHM.ES256:
      return nodeVerify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, signature);
    case COSE_ALGORITHM.EdDSA:
      return nodeVerify(null, data, publicKey, signature);
    case COSE_ALGORITHM.RS256:
      return nodeVerify('sha256', data, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
  }
}
