// The compact JWS a FedCM token is, read and checked with node:crypto alone: jose's WebCrypto
// verify (a thread-pool job per token) cost half of a verification's time. What is here is the
// part of RFC 7515 an ID token verifier needs: the three parts, the protected header with its
// `alg`, `kid` and `crit`, the signature against a KeyObject made once per JWK, and the rules
// that tie a JWK to the algorithm it may verify (the key-confusion attacks).

import { isUtf8 } from 'node:buffer';
import { constants, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Byte -> 6-bit value, -1 outside the base64url alphabet (an Int32Array: measurably faster to read here than bytes). */
const VALUE = new Int32Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** Set by decodeInPlace: whether every byte it wrote is below 0x80 (ASCII, so valid UTF-8 as it is). */
let decodedAscii = false;

/**
 * RFC 7515 §2 / RFC 4648 §5 without padding, strictly: only the alphabet, never a length that
 * leaves one dangling character, and zero unused bits in the last character (RFC 4648 §3.5), so
 * one text has exactly one spelling. Decodes the base64url text in bytes[start, end) in place, to
 * bytes[start, start + n), and returns n, or -1 for anything else (the range then holds garbage).
 * In place is safe: each group of four characters is read before its three bytes are written,
 * behind it.
 *
 * A table decoder over bytes, not Buffer's decoder and not charCodeAt: Buffer's is lax (a second,
 * checking pass would be needed) and measurably slowed the ECDSA verify that follows it here,
 * ~5 µs a token (bench/verify-raw.ts); charCodeAt on the slice of a token cost ~60 instructions
 * a character (callgrind). The checks fold into one accumulator tested at the end (a bad token is
 * rare, a branch per character is not free): a character outside the alphabet is a -1, which
 * makes its group, and so the accumulator, negative; the bits 0x808080 say whether a byte is
 * above 0x7f.
 */
function decodeInPlace(bytes: Uint8Array, start: number, end: number): number {
  const rest = (end - start) % 4;
  if (rest === 1) return -1;
  const table = VALUE;
  const whole = end - rest;
  let acc = 0;
  let o = start;
  let i = start;
  for (; i < whole; i += 4) {
    const v = (table[bytes[i]!]! << 18) | (table[bytes[i + 1]!]! << 12) | (table[bytes[i + 2]!]! << 6) | table[bytes[i + 3]!]!;
    acc |= v;
    bytes[o] = v >> 16;
    bytes[o + 1] = v >> 8;
    bytes[o + 2] = v;
    o += 3;
  }
  if (rest === 2) {
    const b = table[bytes[i + 1]!]!;
    const v = (table[bytes[i]!]! << 18) | (b << 12);
    // The last character's low 4 bits are unused, and must be zero.
    acc |= v | (b & 0x0f ? -1 : 0);
    bytes[o++] = v >> 16;
  } else if (rest === 3) {
    const c = table[bytes[i + 2]!]!;
    const v = (table[bytes[i]!]! << 18) | (table[bytes[i + 1]!]! << 12) | (c << 6);
    // The last character's low 2 bits are unused, and must be zero.
    acc |= v | (c & 0x03 ? -1 : 0);
    bytes[o] = v >> 16;
    bytes[o + 1] = v >> 8;
    o += 2;
  }
  if (acc < 0) return -1;
  decodedAscii = (acc & 0x808080) === 0;
  return o - start;
}

/**
 * The UTF-8 bytes of a text that should be base64url, or undefined when it is not ASCII (no
 * base64url text is), so that its byte and character offsets are the same.
 */
export function asciiBytes(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length === text.length ? bytes : undefined;
}

/** The strict base64url decoding of `text` (decodeInPlace), or undefined when it is not strict base64url. */
export function decodeBase64url(text: string): Buffer | undefined {
  const bytes = asciiBytes(text);
  return bytes === undefined ? undefined : decodeBase64urlAt(bytes, 0, bytes.length);
}

/**
 * The strict base64url decoding of bytes[start, end) (the ASCII of a token's part), decoded in
 * place (decodeInPlace) and returned as a view of `bytes`, or undefined when it is not strict base64url.
 */
export function decodeBase64urlAt(bytes: Buffer, start: number, end: number): Buffer | undefined {
  const n = decodeInPlace(bytes, start, end);
  return n < 0 ? undefined : bytes.subarray(start, start + n);
}

/** A JSON object, not an array, null or a class instance (as jose's isObject). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === null || proto === Object.prototype;
}

/** Base64url JSON of one object (a protected header, a claims set); throws TypeError saying why. */
export function decodeJsonObject(part: string, what: string): Record<string, unknown> {
  const bytes = asciiBytes(part);
  if (bytes === undefined) throw new TypeError(`the ${what} is not strict base64url`);
  return decodeJsonObjectAt(bytes, 0, bytes.length, what);
}

/**
 * decodeJsonObject of the base64url ASCII in bytes[start, end) (a part of a token's bytes), decoded
 * in place: the range holds garbage after. Throws TypeError saying why.
 */
export function decodeJsonObjectAt(bytes: Buffer, start: number, end: number, what: string): Record<string, unknown> {
  const n = decodeInPlace(bytes, start, end);
  if (n < 0) throw new TypeError(`the ${what} is not strict base64url`);
  let text: string;
  // ASCII (as a JWT's JSON nearly always is) is UTF-8 as it stands: read as latin1, the cheapest.
  if (decodedAscii) text = bytes.toString('latin1', start, start + n);
  else {
    // Malformed UTF-8 decodes to U+FFFD; only when one appears is the strict check made (a genuine
    // U+FFFD is rare), as jose's fatal TextDecoder would, whose every-time cost is then saved.
    text = bytes.toString('utf8', start, start + n);
    if (text.includes('\uFFFD') && !isUtf8(bytes.subarray(start, start + n))) throw new TypeError(`the ${what} is not UTF-8`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`the ${what} is not JSON`, { cause: e });
  }
  if (!isJsonObject(parsed)) throw new TypeError(`the ${what} is not a JSON object`);
  return parsed;
}

/** Header parameters RFC 7515 §4.1 defines: §4.1.11 forbids naming them in `crit`. */
const REGISTERED_HEADER_PARAMETERS = new Set(['alg', 'jku', 'jwk', 'kid', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'typ', 'cty', 'crit']);
/** Extensions this verifier understands: only `b64` (RFC 7797), and only its default, true. */
const UNDERSTOOD_EXTENSIONS = new Set(['b64']);

/**
 * RFC 7515 §4.1.11 (`crit`): when present, a non-empty array of distinct names, none defined by
 * RFC 7515 itself, each present in the header and each understood, or the JWS MUST be rejected.
 * RFC 7797 §3: `b64: false` (an unencoded payload) is refused; a JWT never uses it (RFC 7797 §7).
 * `kid` (§4.1.4), when present, must be a string to name a key. `jwk`, `jku`, `x5c`, `x5u` are
 * never used: the keys come from the issuer's JWKS only. Throws TypeError saying what is wrong.
 */
export function checkHeader(header: Record<string, unknown>): void {
  if (header['kid'] !== undefined && typeof header['kid'] !== 'string') throw new TypeError('"kid" is not a string');
  const crit = header['crit'];
  if (crit !== undefined) {
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((name) => typeof name !== 'string' || name === '')) {
      throw new TypeError('"crit" must be a non-empty array of non-empty strings (RFC 7515 §4.1.11)');
    }
    if (new Set(crit).size !== crit.length) throw new TypeError('"crit" names a parameter twice (RFC 7515 §4.1.11)');
    for (const name of crit as string[]) {
      if (REGISTERED_HEADER_PARAMETERS.has(name)) throw new TypeError(`"crit" names ${JSON.stringify(name)}, which RFC 7515 defines (RFC 7515 §4.1.11)`);
      if (!UNDERSTOOD_EXTENSIONS.has(name)) throw new TypeError(`"crit" names ${JSON.stringify(name)}, an extension this verifier does not understand (RFC 7515 §4.1.11)`);
      if (!Object.hasOwn(header, name) || header[name] === undefined) throw new TypeError(`"crit" names ${JSON.stringify(name)}, which the header does not carry (RFC 7515 §4.1.11)`);
    }
  }
  if (header['b64'] !== undefined && header['b64'] !== true) throw new TypeError('"b64" other than true (an unencoded payload, RFC 7797) is not supported');
}

/** How each allowed algorithm verifies, and the JWK it needs (RFC 7518 §3.1, RFC 8037 §3.1). */
interface AlgorithmRule {
  kty: 'EC' | 'OKP' | 'RSA';
  /** The JWK `crv` the algorithm requires (EC, OKP). */
  crv?: string;
  /** node:crypto's digest name; null for Ed25519, which hashes internally. */
  hash: string | null;
  /** ECDSA: the R || S signature length (RFC 7518 §3.4). */
  signatureBytes?: number;
  /** RSASSA-PSS: the salt length, the digest's (RFC 7518 §3.5). */
  pssSalt?: number;
}

const RULES: Readonly<Record<string, AlgorithmRule>> = {
  ES256: { kty: 'EC', crv: 'P-256', hash: 'sha256', signatureBytes: 64 },
  ES384: { kty: 'EC', crv: 'P-384', hash: 'sha384', signatureBytes: 96 },
  ES512: { kty: 'EC', crv: 'P-521', hash: 'sha512', signatureBytes: 132 },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', hash: null },
  Ed25519: { kty: 'OKP', crv: 'Ed25519', hash: null },
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pssSalt: 32 },
  PS384: { kty: 'RSA', hash: 'sha384', pssSalt: 48 },
  PS512: { kty: 'RSA', hash: 'sha512', pssSalt: 64 },
};

/**
 * Whether a JWK may verify `alg` for a token naming `kid`: RFC 7517 §4.1 (`kty` fits the
 * algorithm, and `crv` for EC and OKP keys, RFC 7518 §6.2.1.1, RFC 8037 §2), §4.2 (`use`, if
 * present, is "sig"), §4.3 (`key_ops`, if present, includes "verify"), §4.4 (`alg`, if present, is
 * the token's), §4.5 (`kid` equals the token's, when the token names one). The same rules as
 * jose's JWKS key selection, so the key jose found is the one found here. An HS256 token never
 * gets here (the allow-list stops it first), and an RSA or oct key never verifies ES256.
 */
export function jwkFits(jwk: Record<string, unknown>, alg: string, kid: string | undefined): boolean {
  const rule = RULES[alg];
  if (rule === undefined) return false;
  const ops = jwk['key_ops'];
  return (
    jwk['kty'] === rule.kty &&
    (rule.crv === undefined || jwk['crv'] === rule.crv) &&
    (kid === undefined || jwk['kid'] === kid) &&
    (jwk['alg'] === undefined || jwk['alg'] === alg) &&
    (jwk['use'] === undefined || jwk['use'] === 'sig') &&
    (ops === undefined || (Array.isArray(ops) && ops.includes('verify')))
  );
}

/**
 * The KeyObject of a public JWK that fits `alg` (jwkFits), made with node:crypto. Throws
 * TypeError for a JWK that holds private parts (an IdP publishing its private key must not be
 * trusted), that node cannot import, or an RSA key under 2048 bits (RFC 7518 §3.3).
 */
export function importJwk(jwk: Record<string, unknown>, alg: string): KeyObject {
  if ('d' in jwk || 'p' in jwk || 'q' in jwk) throw new TypeError('JSON Web Key Set members must be public keys');
  const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  const rule = RULES[alg];
  const type = key.asymmetricKeyType;
  // Belt and braces over jwkFits: what node made of the JWK is what the algorithm needs.
  const fits = rule?.kty === 'EC' ? type === 'ec' : rule?.kty === 'OKP' ? type === 'ed25519' : rule?.kty === 'RSA' ? type === 'rsa' : false;
  if (!fits) throw new TypeError(`the key for ${alg} is a ${String(type)} key`);
  if (rule?.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new TypeError(`${alg} keys must be 2048 bits or larger`);
  return key;
}

/**
 * RFC 7515 §5.2 steps 8-9 for one key: the signature over the ASCII of
 * `BASE64URL(header) || '.' || BASE64URL(payload)`, verified synchronously by node:crypto (ECDSA
 * signatures in the JWS R || S form, RFC 7518 §3.4, hence `ieee-p1363`). False, never a throw,
 * for a signature of the wrong length or that does not verify.
 */
export function verifySignature(alg: string, key: KeyObject, signingInput: Buffer, signature: Buffer): boolean {
  const rule = RULES[alg];
  if (rule === undefined) return false;
  if (rule.signatureBytes !== undefined && signature.length !== rule.signatureBytes) return false;
  try {
    if (rule.kty === 'EC') return verify(rule.hash, signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature);
    if (rule.pssSalt !== undefined) return verify(rule.hash, signingInput, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: rule.pssSalt }, signature);
    return verify(rule.hash, signingInput, key, signature);
  } catch {
    // A signature node cannot even parse is one that does not verify.
    return false;
  }
}
