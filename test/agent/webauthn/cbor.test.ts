// CBOR in CTAP2 canonical form, COSE keys, and the WebAuthn §16 test vectors: the strict decoder
// reads every vector's attestation object, the encoder reproduces it byte for byte, the
// clientDataJSON serializer matches the vectors', and the vectors' signatures verify.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  CborError,
  decodeCbor,
  decodeCoseKey,
  encodeCbor,
  encodeCoseKey,
  generateCredentialKeyPair,
  parseAttestationObject,
  serializeClientData,
  signWith,
  verifyWith,
  type CborKey,
  type CborMap,
  type CborValue,
  type CoseAlgorithm,
} from '../../../src/agent/webauthn/index.js';
import { vectors } from './vectors.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());

function decodeError(bytes: number[] | Uint8Array, options = {}): CborError {
  try {
    decodeCbor(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes), options);
  } catch (e) {
    assert.ok(e instanceof CborError, `expected CborError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the decoder to reject the input');
}

describe('CBOR encoder (CTAP2 canonical)', () => {
  it('encodes integers, lengths and counts in the shortest form', () => {
    assert.equal(toHex(encodeCbor(0)), '00');
    assert.equal(toHex(encodeCbor(23)), '17');
    assert.equal(toHex(encodeCbor(24)), '1818');
    assert.equal(toHex(encodeCbor(255)), '18ff');
    assert.equal(toHex(encodeCbor(256)), '190100');
    assert.equal(toHex(encodeCbor(65536)), '1a00010000');
    assert.equal(toHex(encodeCbor(2 ** 32)), '1b0000000100000000');
    assert.equal(toHex(encodeCbor(-1)), '20');
    assert.equal(toHex(encodeCbor(-7)), '26');
    assert.equal(toHex(encodeCbor(-257)), '390100');
    assert.equal(toHex(encodeCbor(18446744073709551615n)), '1bffffffffffffffff');
    assert.equal(toHex(encodeCbor(-18446744073709551616n)), '3bffffffffffffffff');
    assert.equal(toHex(encodeCbor('fmt')), '63666d74');
    assert.equal(toHex(encodeCbor(new Uint8Array(24))), `5818${'00'.repeat(24)}`);
    assert.equal(toHex(encodeCbor([true, false, null])), '83f5f4f6');
  });

  it('sorts map keys by major type, then length, then bytes (COSE order 1, 3, -1, -2, -3)', () => {
    const cose = new Map<number, number>([
      [-3, 0],
      [-1, 0],
      [3, 0],
      [-2, 0],
      [1, 0],
    ]);
    assert.equal(toHex(encodeCbor(cose)), 'a5010003002000210022' + '00');
    // "fmt" (3 bytes) < "attStmt" (7) < "authData" (8): the attestation object's order.
    assert.equal(toHex(encodeCbor({ authData: 0, fmt: 0, attStmt: 0 })).slice(0, 10), 'a363666d74');
    assert.deepEqual([...(decodeCbor(encodeCbor({ b: 1, aa: 2 })) as CborMap).keys()], ['b', 'aa']);
  });

  it('refuses what CBOR cannot carry here', () => {
    assert.throws(() => encodeCbor(2n ** 64n), CborError);
    assert.throws(() => encodeCbor('\ud800'), CborError);
    assert.throws(() => encodeCbor(new Map([[1.5, 1]])), CborError);
  });
});

describe('CBOR decoder (strict)', () => {
  it('round-trips values', () => {
    const value: CborMap = new Map<CborKey, CborValue>([
      ['fmt', 'packed'],
      [1, new Uint8Array([1, 2, 3])],
      [-2, [1, -1, 'x', true, null]],
    ]);
    const decoded = decodeCbor(encodeCbor(value));
    assert.deepEqual(decoded, value);
    assert.equal(decodeCbor(hex('1bffffffffffffffff')), 18446744073709551615n);
    assert.equal(decodeCbor(hex('f93c00')), 1);
    assert.equal(decodeCbor(hex('fb3ff8000000000000')), 1.5);
  });

  it('rejects malformed input with an error that says why and where', () => {
    assert.match(decodeError([]).message, /Unexpected end of input/);
    assert.match(decodeError([0x18]).message, /Unexpected end of input/);
    assert.match(decodeError([0x62, 0x61]).message, /Declared length 2 exceeds the 1 byte/);
    assert.match(decodeError([0x01, 0x02]).message, /1 unexpected trailing byte/);
    assert.match(decodeError([0x1c]).message, /Reserved additional information value 28/);
    assert.match(decodeError([0x62, 0xc3, 0x28]).message, /not valid UTF-8/);
    assert.match(decodeError([0xff]).message, /break/);
    assert.match(decodeError([0xf8, 0x20]).message, /simple value/);
    assert.match(decodeError([0xa1, 0x80, 0x01]).message, /Map keys must be integers, text or byte strings/);
  });

  it('rejects non-canonical CBOR (CTAP2 §8)', () => {
    assert.match(decodeError([0x18, 0x17]).message, /shortest form/);
    assert.match(decodeError([0x19, 0x00, 0xff]).message, /shortest form/);
    assert.match(decodeError([0x5f, 0x41, 0x00, 0xff]).message, /Indefinite-length/);
    assert.match(decodeError([0x9f, 0xff]).message, /Indefinite-length/);
    assert.match(decodeError([0xc0, 0x60]).message, /Tags are not allowed/);
    // {3: 0, 1: 0}: keys out of order; {1: 0, 1: 0}: duplicate.
    assert.match(decodeError([0xa2, 0x03, 0x00, 0x01, 0x00]).message, /canonical order/);
    assert.match(decodeError([0xa2, 0x01, 0x00, 0x01, 0x00]).message, /Duplicate map key/);
    // {-1: 0, 1: 0}: negative integers sort after unsigned ones.
    assert.match(decodeError([0xa2, 0x20, 0x00, 0x01, 0x00]).message, /canonical order/);
  });

  it('rejects oversized and hostile input before allocating for it', () => {
    assert.match(decodeError(new Uint8Array(100), { maxBytes: 64 }).message, /exceeds the 64-byte limit/);
    // A byte string claiming 2^64-1 bytes, an array claiming 2^32 items, a map claiming 1000 entries.
    assert.match(decodeError([0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).message, /exceeds/);
    assert.match(decodeError([0x9a, 0xff, 0xff, 0xff, 0xff, 0x00]).message, /exceeds/);
    assert.match(decodeError([0xb9, 0x03, 0xe8, 0x00, 0x00]).message, /Declared length 1000|does not fit/);
    const deep = new Uint8Array(40).fill(0x81);
    assert.match(decodeError([...deep, 0x00]).message, /Nesting deeper than 16/);
  });
});

describe('COSE keys', () => {
  for (const alg of [-7, -8, -257] as CoseAlgorithm[]) {
    it(`round-trips a ${alg} key and signs with it`, () => {
      const { privateKey, publicKey } = generateCredentialKeyPair(alg);
      const cose = encodeCoseKey(publicKey, alg);
      const decoded = decodeCoseKey(decodeCbor(cose) as CborMap);
      assert.equal(decoded.alg, alg);
      assert.ok(decoded.publicKey);
      const data = new Uint8Array([1, 2, 3]);
      assert.ok(verifyWith(alg, decoded.publicKey, data, signWith(alg, privateKey, data)));
    });
  }

  it('encodes an ES256 key as §6.5.1.1 shows (kty 2, alg -7, crv 1, 32-byte x and y)', () => {
    const { publicKey } = generateCredentialKeyPair(-7);
    const cose = encodeCoseKey(publicKey, -7);
    assert.equal(toHex(cose.slice(0, 10)), 'a5010203262001215820');
    assert.equal(cose.byteLength, 77);
  });

  it('rejects keys whose parameters disagree, and points off the curve', () => {
    const bad: CborMap = new Map<CborKey, CborValue>([
      [1, 2],
      [3, -7],
      [-1, 2],
      [-2, new Uint8Array(32)],
      [-3, new Uint8Array(32)],
    ]);
    assert.throws(() => decodeCoseKey(bad), /crv 1/);
    bad.set(-1, 1);
    assert.throws(() => decodeCoseKey(bad));
    assert.deepEqual(
      decodeCoseKey(
        new Map<CborKey, CborValue>([
          [1, 2],
          [3, -36],
        ]),
      ),
      { alg: -36, publicKey: null },
    );
  });
});

describe('WebAuthn §16 test vectors', () => {
  for (const [name, v] of Object.entries(vectors)) {
    it(`${name}: the attestation object decodes strictly and re-encodes identically`, () => {
      const bytes = hex(v.attestationObject);
      assert.equal(toHex(encodeCbor(decodeCbor(bytes) as CborMap)), v.attestationObject);
      const parsed = parseAttestationObject(bytes, 'example.org');
      assert.equal(parsed.parsed.attested.credentialId.byteLength, 32);
    });

    it(`${name}: the assertion signature verifies with the registered key`, () => {
      const parsed = parseAttestationObject(hex(v.attestationObject), 'example.org');
      const { alg, publicKey } = decodeCoseKey(parsed.parsed.attested.credentialPublicKey);
      assert.ok(publicKey);
      const signed = new Uint8Array([...hex(v.authenticatorData), ...sha256(hex(v.authClientDataJSON))]);
      assert.ok(verifyWith(alg as CoseAlgorithm, publicKey, signed, hex(v.signature)));
      // A flipped bit breaks it.
      signed[0] = (signed[0] ?? 0) ^ 1;
      assert.equal(verifyWith(alg as CoseAlgorithm, publicKey, signed, hex(v.signature)), false);
    });

    it(`${name}: clientDataJSON is serialized as the vector's`, () => {
      for (const [type, challengeHex, jsonHex, extra] of [
        ['webauthn.create', v.regChallenge, v.regClientDataJSON, v.regExtraData],
        ['webauthn.get', v.authChallenge, v.authClientDataJSON, v.authExtraData],
      ] as const) {
        const expected = Buffer.from(hex(jsonHex)).toString('utf8');
        const parsed = JSON.parse(expected) as { crossOrigin: boolean; topOrigin?: string };
        const ours = Buffer.from(
          serializeClientData({
            type,
            challenge: Buffer.from(hex(challengeHex)).toString('base64url'),
            origin: 'https://example.org',
            crossOrigin: parsed.crossOrigin,
            ...(parsed.topOrigin === undefined ? {} : { topOrigin: parsed.topOrigin }),
          }),
        ).toString('utf8');
        // Vectors with extra data append a member after ours (§5.8.1.1's "remainder").
        if (extra) assert.ok(expected.startsWith(`${ours.slice(0, -1)},`), `${expected}\n${ours}`);
        else assert.equal(ours, expected);
      }
    });
  }
});

describe('clientDataJSON escaping (CCDToString)', () => {
  it('escapes quotes, backslashes and control characters with lower-case \\u', () => {
    const json = Buffer.from(serializeClientData({ type: 'webauthn.get', challenge: 'a"b\\c\u0001\u007f\u00e9', origin: 'https://x.example', crossOrigin: false })).toString('utf8');
    assert.equal(json, '{"type":"webauthn.get","challenge":"a\\"b\\\\c\\u0001\u007f\u00e9","origin":"https://x.example","crossOrigin":false}');
    assert.deepEqual(JSON.parse(json), { type: 'webauthn.get', challenge: 'a"b\\c\u0001\u007f\u00e9', origin: 'https://x.example', crossOrigin: false });
  });
});
