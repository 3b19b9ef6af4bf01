// Reading what an authenticator returned to the client: authenticator data (WebAuthn §6.1) with
// its attested credential data (§6.5.1), and attestation objects (§6.5.4), decoded strictly and
// checked against the ceremony's RP ID.

import { createHash } from 'node:crypto';
import { bytesEqual } from './base64url.js';
import { CborError, decodeCbor, decodeCborPrefix, expectBytes, expectMap, expectText, type CborMap } from './cbor.js';

const FLAG_AT = 0x40;
const FLAG_ED = 0x80;

const sha256 = (data: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

export interface ParsedAuthenticatorData {
  rpIdHash: Uint8Array;
  flags: number;
  signCount: number;
  attested?: { aaguid: Uint8Array; credentialId: Uint8Array; credentialPublicKey: CborMap };
  extensions?: CborMap;
}

/** Parses authenticator data (WebAuthn §6.1, §6.5.1), rejecting trailing or missing bytes. */
export function parseAuthenticatorData(data: Uint8Array): ParsedAuthenticatorData {
  if (data.byteLength < 37) throw new CborError(`Authenticator data is ${data.byteLength} bytes; at least 37 are needed`, 0);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const flags = data[32] ?? 0;
  const out: ParsedAuthenticatorData = { rpIdHash: data.slice(0, 32), flags, signCount: view.getUint32(33) };
  let offset = 37;
  if (flags & FLAG_AT) {
    if (data.byteLength < offset + 18) throw new CborError('Attested credential data is truncated', offset);
    const aaguid = data.slice(offset, offset + 16);
    const length = view.getUint16(offset + 16);
    offset += 18;
    // §6.5.1: credentialIdLength MUST be ≤ 1023.
    if (length > 1023) throw new CborError(`Credential ID length ${length} exceeds 1023`, offset - 2);
    if (data.byteLength < offset + length) throw new CborError('Credential ID is truncated', offset);
    const credentialId = data.slice(offset, offset + length);
    offset += length;
    const key = decodeCborPrefix(data, offset);
    out.attested = { aaguid, credentialId, credentialPublicKey: expectMap(key.value, 'credentialPublicKey') };
    offset = key.end;
  }
  if (flags & FLAG_ED) {
    const ext = decodeCborPrefix(data, offset);
    out.extensions = expectMap(ext.value, 'Authenticator extensions');
    offset = ext.end;
  }
  if (offset !== data.byteLength) throw new CborError(`${data.byteLength - offset} unexpected byte(s) after the authenticator data`, offset);
  return out;
}

/** Throws unless the authenticator data's rpIdHash is the SHA-256 of `rpId` (WebAuthn §6.1). */
export function expectRpIdHash(parsed: ParsedAuthenticatorData, rpId: string): void {
  if (!bytesEqual(parsed.rpIdHash, sha256(rpId))) throw new CborError(`rpIdHash is not the SHA-256 of "${rpId}"`, 0);
}

export interface ParsedAttestation {
  fmt: string;
  attStmt: CborMap;
  authData: Uint8Array;
  parsed: ParsedAuthenticatorData & { attested: NonNullable<ParsedAuthenticatorData['attested']> };
}

/** Decodes an attestation object (WebAuthn §6.5.4) strictly and checks it is for `rpId`. */
export function parseAttestationObject(bytes: Uint8Array, rpId: string): ParsedAttestation {
  const map = expectMap(decodeCbor(bytes), 'The attestation object');
  const fmt = expectText(map.get('fmt'), 'fmt');
  const attStmt = expectMap(map.get('attStmt'), 'attStmt');
  const authData = expectBytes(map.get('authData'), 'authData');
  const parsed = parseAuthenticatorData(authData);
  if (!parsed.attested) throw new CborError('The authenticator data of an attestation has no attested credential data (AT flag)', 0);
  expectRpIdHash(parsed, rpId);
  return { fmt, attStmt, authData, parsed: { ...parsed, attested: parsed.attested } };
}
