// Base64url (RFC 4648 §5) as WebAuthn §3 "Dependencies" defines it: the URL-safe alphabet, no
// padding, no line breaks. Encoding is used for clientDataJSON's challenge, Credential.id and
// toJSON(); decoding for the JSON helpers (§5.1.8, §5.1.9) and the WebDriver commands (§11),
// where anything outside that alphabet is an error rather than something to skip.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** Base64url without padding. */
export function base64urlEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Strict base64url decoding: only `A–Z a–z 0–9 - _`, no `=` padding, no whitespace, and no
 * length that leaves a dangling 6-bit group. Returns null on failure so callers throw the error
 * their spec prescribes (EncodingError for the JSON helpers, "invalid argument" for WebDriver).
 * Blink's Base64UnpaddedURLDecode likewise rejects `=`, `+` and `/`.
 */
export function base64urlDecode(text: string): Uint8Array<ArrayBuffer> | null {
  if (!ALPHABET.test(text) || text.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** A fresh ArrayBuffer holding a copy of `bytes` (page-visible buffers are never shared). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
