// CBOR (RFC 8949) in the "CTAP2 canonical CBOR encoding form" WebAuthn §2.4 requires of every
// conformance class (FIDO CTAP 2.1 §8 "Message Encoding"):
//   - integers, lengths and counts in the shortest form;
//   - definite lengths only (no indefinite-length items);
//   - map keys sorted: lower major type first, then shorter encoding first, then bytewise;
//   - no tags.
// The encoder always produces that form. The decoder is strict: WebAuthn §2.4 says decoders
// SHOULD reject anything else and SHOULD reject duplicate map keys, and it also refuses input
// that is larger or deeper than the caller allows, before allocating anything for it.

/** A decoded CBOR data item. Maps decode to `Map` because COSE keys are integers. */
export type CborValue = number | bigint | string | Uint8Array | boolean | null | undefined | CborValue[] | CborMap;
/** Map keys WebAuthn uses: integers (COSE), text (attestation objects, extensions), bytes. */
export type CborKey = number | bigint | string | Uint8Array;
export type CborMap = Map<CborKey, CborValue>;

/** What the encoder accepts: decoded values, plus plain objects as text-keyed maps. */
export type CborEncodable =
  | number
  | bigint
  | string
  | Uint8Array
  | boolean
  | null
  | undefined
  | readonly CborEncodable[]
  | ReadonlyMap<CborKey, CborEncodable>
  | { readonly [key: string]: CborEncodable };

/** Malformed or non-canonical CBOR, or input over a limit. `offset` is where decoding stopped. */
export class CborError extends Error {
  override readonly name = 'CborError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

export interface CborDecodeOptions {
  /** Largest input accepted, in bytes (default 1 MiB; attestation objects are a few KiB). */
  maxBytes?: number;
  /** Deepest nesting of arrays and maps accepted (default 16). */
  maxDepth?: number;
}

const DEFAULT_MAX_BYTES = 1 << 20;
const DEFAULT_MAX_DEPTH = 16;
const MAX_ENCODE_DEPTH = 64;
const UINT64_MAX = (1n << 64n) - 1n;

// ---------------------------------------------------------------------------------------------
// Encoding

/** Encodes `value` in CTAP2 canonical form. Throws CborError for values CBOR cannot carry here. */
export function encodeCbor(value: CborEncodable): Uint8Array<ArrayBuffer> {
  const out: number[] = [];
  const chunks: Uint8Array[] = [];
  const flush = (): void => {
    if (out.length > 0) {
      chunks.push(Uint8Array.from(out));
      out.length = 0;
    }
  };
  const emit = (bytes: Uint8Array): void => {
    flush();
    chunks.push(bytes);
  };
  writeItem(value, 0, out, emit);
  flush();
  let length = 0;
  for (const c of chunks) length += c.byteLength;
  const result = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    result.set(c, offset);
    offset += c.byteLength;
  }
  return result;
}

function writeHead(major: number, argument: number | bigint, out: number[]): void {
  const n = BigInt(argument);
  const m = major << 5;
  if (n < 24n) out.push(m | Number(n));
  else if (n < 0x100n) out.push(m | 24, Number(n));
  else if (n < 0x10000n) out.push(m | 25, Number(n >> 8n), Number(n & 0xffn));
  else if (n < 0x100000000n) {
    out.push(m | 26);
    for (let shift = 24n; shift >= 0n; shift -= 8n) out.push(Number((n >> shift) & 0xffn));
  } else {
    out.push(m | 27);
    for (let shift = 56n; shift >= 0n; shift -= 8n) out.push(Number((n >> shift) & 0xffn));
  }
}

function writeItem(value: CborEncodable, depth: number, out: number[], emit: (b: Uint8Array) => void): void {
  if (depth > MAX_ENCODE_DEPTH) throw new CborError('Nesting too deep to encode (a cycle?)', out.length);
  if (value === false) return void out.push(0xf4);
  if (value === true) return void out.push(0xf5);
  if (value === null) return void out.push(0xf6);
  if (value === undefined) return void out.push(0xf7);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Number.isSafeInteger(value)) {
      if (value >= 0) writeHead(0, value, out);
      else writeHead(1, -1 - value, out);
      return;
    }
    // Floats are not canonicalised by CTAP2 ("representations of floating-point values are not
    // changed"); they never occur in WebAuthn structures, so the widest form is used.
    const view = new DataView(new ArrayBuffer(9));
    view.setUint8(0, 0xfb);
    view.setFloat64(1, value);
    emit(new Uint8Array(view.buffer));
    return;
  }
  if (typeof value === 'bigint') {
    if (value >= 0n) {
      if (value > UINT64_MAX) throw new CborError('Integer too large for CBOR', out.length);
      writeHead(0, value, out);
    } else {
      if (-1n - value > UINT64_MAX) throw new CborError('Integer too small for CBOR', out.length);
      writeHead(1, -1n - value, out);
    }
    return;
  }
  if (typeof value === 'string') {
    if (!value.isWellFormed()) throw new CborError('Text string contains a lone surrogate', out.length);
    const bytes = new TextEncoder().encode(value);
    writeHead(3, bytes.byteLength, out);
    emit(bytes);
    return;
  }
  if (value instanceof Uint8Array) {
    writeHead(2, value.byteLength, out);
    emit(Uint8Array.from(value));
    return;
  }
  if (Array.isArray(value)) {
    const items = value as readonly CborEncodable[];
    writeHead(4, items.length, out);
    for (const item of items) writeItem(item, depth + 1, out, emit);
    return;
  }
  const entries: [CborKey, CborEncodable][] =
    value instanceof Map ? [...(value as ReadonlyMap<CborKey, CborEncodable>)] : Object.entries(value as { [key: string]: CborEncodable });
  // Each key is encoded on its own so the pairs can be sorted by their encoded keys.
  const encoded = entries.map(([k, v]) => ({ key: encodeKey(k), value: v }));
  encoded.sort((a, b) => compareKeys(a.key, b.key));
  for (let i = 1; i < encoded.length; i++) {
    const prev = encoded[i - 1];
    const cur = encoded[i];
    if (prev && cur && compareKeys(prev.key, cur.key) === 0) throw new CborError('Duplicate map key', out.length);
  }
  writeHead(5, encoded.length, out);
  for (const entry of encoded) {
    emit(entry.key);
    writeItem(entry.value, depth + 1, out, emit);
  }
}

function encodeKey(key: CborKey): Uint8Array {
  if (typeof key === 'number' && !Number.isInteger(key)) throw new CborError('Map keys must be integers, text or bytes', 0);
  return encodeCbor(key);
}

/**
 * CTAP 2.1 §8 canonical key order on encoded keys: by major type, then by encoded length, then
 * bytewise. (For integers this is -1 > 23 > 24 … as numbers; for COSE it gives 1, 3, -1, -2, -3.)
 */
function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const majorA = (a[0] ?? 0) >> 5;
  const majorB = (b[0] ?? 0) >> 5;
  if (majorA !== majorB) return majorA - majorB;
  if (a.byteLength !== b.byteLength) return a.byteLength - b.byteLength;
  for (let i = 0; i < a.byteLength; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Decodes exactly one data item that fills `bytes`; trailing bytes are an error. */
export function decodeCbor(bytes: Uint8Array, options: CborDecodeOptions = {}): CborValue {
  const { value, end } = decodeCborPrefix(bytes, 0, options);
  if (end !== bytes.byteLength) throw new CborError(`${bytes.byteLength - end} unexpected trailing byte(s)`, end);
  return value;
}

/**
 * Decodes one data item starting at `offset` and says where it ended. Authenticator data needs
 * this: the credential public key is a CBOR item followed by more bytes (WebAuthn §6.1).
 */
export function decodeCborPrefix(bytes: Uint8Array, offset = 0, options: CborDecodeOptions = {}): { value: CborValue; end: number } {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.byteLength > maxBytes) {
    throw new CborError(`Input of ${bytes.byteLength} bytes exceeds the ${maxBytes}-byte limit`, 0);
  }
  const reader = new Reader(bytes, offset, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  const value = reader.item(0);
  return { value, end: reader.offset };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class Reader {
  offset: number;
  constructor(
    private readonly bytes: Uint8Array,
    offset: number,
    private readonly maxDepth: number,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  #byte(): number {
    const b = this.bytes[this.offset];
    if (b === undefined) throw new CborError('Unexpected end of input', this.offset);
    this.offset++;
    return b;
  }

  #take(n: number): Uint8Array {
    if (n > this.remaining) throw new CborError(`Declared length ${n} exceeds the ${this.remaining} byte(s) left`, this.offset);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** Reads the argument of a head; enforces the shortest form (CTAP2 canonical). */
  #argument(info: number, start: number): bigint {
    if (info < 24) return BigInt(info);
    let size: number;
    if (info === 24) size = 1;
    else if (info === 25) size = 2;
    else if (info === 26) size = 4;
    else if (info === 27) size = 8;
    else if (info === 31) throw new CborError('Indefinite-length items are not allowed in CTAP2 canonical CBOR', start);
    else throw new CborError(`Reserved additional information value ${info}`, start);
    if (size > this.remaining) throw new CborError('Unexpected end of input', this.offset);
    let n = 0n;
    for (let i = 0; i < size; i++) n = (n << 8n) | BigInt(this.#byte());
    const minimum = size === 1 ? 24n : size === 2 ? 0x100n : size === 4 ? 0x10000n : 0x100000000n;
    if (n < minimum) throw new CborError('Non-canonical encoding: integer or length not in its shortest form', start);
    return n;
  }

  #length(info: number, start: number): number {
    const n = this.#argument(info, start);
    if (n > BigInt(this.remaining)) throw new CborError(`Declared length ${n} exceeds the ${this.remaining} byte(s) left`, start);
    return Number(n);
  }

  item(depth: number): CborValue {
    const start = this.offset;
    const initial = this.#byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    switch (major) {
      case 0: {
        const n = this.#argument(info, start);
        return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      case 1: {
        const n = -1n - this.#argument(info, start);
        return n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n;
      }
      case 2:
        return this.#take(this.#length(info, start));
      case 3: {
        const raw = this.#take(this.#length(info, start));
        try {
          return utf8.decode(raw);
        } catch {
          throw new CborError('Text string is not valid UTF-8', start);
        }
      }
      case 4: {
        if (depth >= this.maxDepth) throw new CborError(`Nesting deeper than ${this.maxDepth} levels`, start);
        // Every item takes at least one byte, so a count above what is left is malformed;
        // checking first keeps a hostile count from driving the loop or an allocation.
        const count = this.#length(info, start);
        const out: CborValue[] = [];
        for (let i = 0; i < count; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        if (depth >= this.maxDepth) throw new CborError(`Nesting deeper than ${this.maxDepth} levels`, start);
        const count = this.#length(info, start);
        if (count * 2 > this.remaining) throw new CborError(`Map of ${count} entries does not fit in the ${this.remaining} byte(s) left`, start);
        const map: CborMap = new Map();
        let previousKey: Uint8Array | null = null;
        for (let i = 0; i < count; i++) {
          const keyStart = this.offset;
          const key = this.item(depth + 1);
          const keyBytes = this.bytes.subarray(keyStart, this.offset);
          if (!(typeof key === 'number' || typeof key === 'bigint' || typeof key === 'string' || key instanceof Uint8Array)) {
            throw new CborError('Map keys must be integers, text or byte strings', keyStart);
          }
          if (previousKey) {
            const order = compareKeys(previousKey, keyBytes);
            if (order === 0) throw new CborError('Duplicate map key', keyStart);
            if (order > 0) throw new CborError('Non-canonical encoding: map keys are not in CTAP2 canonical order', keyStart);
          }
          previousKey = keyBytes;
          map.set(key, this.item(depth + 1));
        }
        return map;
      }
      case 6:
        throw new CborError('Tags are not allowed in CTAP2 canonical CBOR', start);
      default:
        return this.#simple(info, start);
    }
  }

  #simple(info: number, start: number): CborValue {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25: {
        const raw = this.#take(2);
        return halfToNumber(((raw[0] ?? 0) << 8) | (raw[1] ?? 0));
      }
      case 26:
        return new DataView(this.#take(4).buffer).getFloat32(0);
      case 27:
        return new DataView(this.#take(8).buffer).getFloat64(0);
      case 31:
        throw new CborError('Unexpected "break" outside an indefinite-length item', start);
      default:
        throw new CborError(`Unassigned or reserved simple value (additional information ${info})`, start);
    }
  }
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

// ---------------------------------------------------------------------------------------------
// Typed access, for parsing structures whose shape WebAuthn fixes.

/** Thrown when a well-formed CBOR item does not have the shape a WebAuthn structure needs. */
export class CborShapeError extends CborError {}

export function expectMap(value: CborValue, what: string): CborMap {
  if (!(value instanceof Map)) throw new CborShapeError(`${what} must be a CBOR map`, 0);
  return value;
}

export function expectBytes(value: CborValue, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new CborShapeError(`${what} must be a byte string`, 0);
  return value;
}

export function expectText(value: CborValue, what: string): string {
  if (typeof value !== 'string') throw new CborShapeError(`${what} must be a text string`, 0);
  return value;
}

export function expectInteger(value: CborValue, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new CborShapeError(`${what} must be an integer`, 0);
  return value;
}
