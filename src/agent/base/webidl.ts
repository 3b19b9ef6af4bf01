// WebIDL §3.2 "JavaScript type mapping": the conversions the agent's dictionaries need, with
// Chromium's TypeError messages (a page sees them before any algorithm step runs). Each API's
// dictionaries are converted where the API lives (credentials/, fedcm/, otp/, webauthn/); the
// primitives are here so that every API words its errors the same way.

/**
 * The TypeErrors of argument conversion (and the checks Chromium's bindings report the same way).
 * Chromium prefixes them with the operation ("Failed to execute 'get' on 'CredentialsContainer': ")
 * where the operation is called (inOperation); an exception a page's own getter throws is not one
 * of them and passes unchanged.
 */
const conversionErrors = new WeakSet<TypeError>();

/** A TypeError of argument conversion: inOperation() gives it the operation's prefix. */
export function idlTypeError(message: string): TypeError {
  const e = new TypeError(message);
  conversionErrors.add(e);
  return e;
}

/**
 * WebIDL §3.7 operations (Chromium's ExceptionState context): a conversion error thrown while
 * `operation` of `interfaceName` ran, as the page sees it, "Failed to execute '<operation>' on
 * '<interface>': <message>"; any other value unchanged.
 */
export function inOperation(error: unknown, operation: string, interfaceName: string): unknown {
  if (!(error instanceof TypeError) || !conversionErrors.has(error)) return error;
  return new TypeError(`Failed to execute '${operation}' on '${interfaceName}': ${error.message}`);
}

/** The start of Chromium's message for a member that fails to convert. */
export const where = (member: string, dictionary: string): string => `Failed to read the '${member}' property from '${dictionary}'`;

/**
 * WebIDL §3.2.10 dictionary: undefined/null → empty; otherwise an object. `context` (the member
 * being read) prefixes the message when the dictionary is itself a member.
 */
export function dictionary(value: unknown, name: string, context?: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw idlTypeError(`${context === undefined ? '' : `${context}: `}The provided value is not of type '${name}'.`);
  }
  return value as Record<string, unknown>;
}

/** WebIDL §3.2.10 step 4.1.4: a required member that is undefined is a TypeError. */
export function requiredMember(d: Record<string, unknown>, member: string, dictionaryName: string, context: string): unknown {
  const value = d[member];
  if (value === undefined) throw idlTypeError(`${context}${context ? ': ' : ''}${where(member, dictionaryName)}: Required member is undefined.`);
  return value;
}

/** Reads an optional dictionary member once (getters run once, in order) and converts it. */
export function optional<T>(d: Record<string, unknown>, member: string, convert: (value: unknown) => T): T | undefined {
  const value = d[member];
  return value === undefined ? undefined : convert(value);
}

/** WebIDL §3.2.18 DOMString: ToString (symbols throw). */
export function domString(value: unknown, context: string): string {
  if (typeof value === 'symbol') throw idlTypeError(`${context}: Cannot convert a Symbol value to a string`);
  return String(value);
}

/** WebIDL §3.2.20 USVString: DOMString with lone surrogates replaced by U+FFFD. */
export function usvString(value: unknown, context: string): string {
  return domString(value, context).toWellFormed();
}

/** WebIDL §3.2.2 boolean: ToBoolean (never throws). */
export function booleanValue(value: unknown): boolean {
  return Boolean(value);
}

/** WebIDL §3.2.21 enumeration: a DOMString that must be one of the values. */
export function enumValue<T extends string>(value: unknown, allowed: readonly T[], type: string, context: string): T {
  const s = domString(value, context);
  if (!(allowed as readonly string[]).includes(s)) {
    throw idlTypeError(`${context}: The provided value '${s}' is not a valid enum value of type ${type}.`);
  }
  return s as T;
}

/** WebIDL §3.2.25 sequence<T>: an iterable object, each item converted. */
export function sequence<T>(value: unknown, context: string, convert: (item: unknown, index: number) => T): T[] {
  if (typeof value !== 'object' || value === null || typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
    throw idlTypeError(`${context}: The provided value cannot be converted to a sequence.`);
  }
  return Array.from(value as Iterable<unknown>, convert);
}

/** ECMAScript ToNumber as WebIDL's numeric conversions start (symbols and BigInts throw). */
function toNumber(value: unknown, context: string): number {
  if (typeof value === 'symbol') throw idlTypeError(`${context}: Cannot convert a Symbol value to a number`);
  if (typeof value === 'bigint') throw idlTypeError(`${context}: Cannot convert a BigInt value to a number`);
  return Number(value);
}

/** WebIDL §3.2.4.9 unsigned long (no [EnforceRange]): ToNumber, truncate, modulo 2^32. */
export function unsignedLong(value: unknown, context: string): number {
  const x = toNumber(value, context);
  if (!Number.isFinite(x) || x === 0) return 0;
  const t = Math.trunc(x);
  return ((t % 2 ** 32) + 2 ** 32) % 2 ** 32;
}

/** WebIDL §3.2.4.8 long: modulo 2^32 into the signed range. */
export function long(value: unknown, context: string): number {
  const u = unsignedLong(value, context);
  return u >= 2 ** 31 ? u - 2 ** 32 : u;
}

/** WebIDL §3.2.26 BufferSource (ArrayBuffer or ArrayBufferView, not shared), copied. */
export function bufferSource(value: unknown, context: string): Uint8Array {
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
  }
  throw idlTypeError(`${context}: The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.`);
}
