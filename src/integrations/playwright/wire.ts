// The values that cross the binding between a page and the agent. Playwright's own serializer
// drops ArrayBuffers (they arrive as `{}`), undefined members and non-finite numbers, so every
// message is JSON text built by these two functions, with the values JSON lacks tagged.
//
// Both realms run the same code: Node imports the functions, and the init script embeds their
// source (Function.prototype.toString), so the encoding is written once. They must therefore be
// self-contained: no imports, no names from this module, only what Node 20 and browsers both
// have (btoa, atob, typed arrays). Objects of other realms (an iframe's ArrayBuffer) are
// recognised by their class string, not by instanceof.

/** A JSON value: what goes over the binding. */
export type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire };

/** A tagged node: `{ $fedkit: kind, … }`. */
export type Tagged = { $fedkit: string } & { [key: string]: Wire };

/**
 * `value` as JSON-able data. Strings, booleans, finite numbers, null, arrays and plain objects
 * (their enumerable properties, inherited ones too, as WebIDL dictionaries read them) stay as
 * they are; undefined, NaN, ±Infinity, -0, bigints and ArrayBuffers or their views are tagged.
 * `special` may encode an object itself (a credential, an error) by returning its wire form.
 * Other objects (a DOM node, a Map) become empty dictionaries, which is how WebIDL reads a
 * dictionary member it does not know. A cycle is a TypeError, as JSON.stringify reports it.
 */
export function toWire(value: unknown, special?: (value: object) => Wire | undefined): Wire {
  const TAG = '$fedkit';
  const classOf = (v: object): string => Object.prototype.toString.call(v).slice(8, -1);
  const base64 = (bytes: Uint8Array): string => {
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  };
  const ancestors: object[] = [];
  const walk = (v: unknown): Wire => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        return Number.isFinite(v) && !Object.is(v, -0) ? v : { [TAG]: 'number', value: Object.is(v, -0) ? '-0' : String(v) };
      case 'undefined':
        return { [TAG]: 'undefined' };
      case 'bigint':
        return { [TAG]: 'bigint', value: v.toString() };
      case 'symbol':
        throw new TypeError('Cannot convert a Symbol value to a string');
      case 'function':
        return {};
    }
    if (v === null) return null;
    const object = v as object;
    const kind = classOf(object);
    if (kind === 'ArrayBuffer' || kind === 'SharedArrayBuffer') {
      return { [TAG]: 'bytes', type: kind, base64: base64(new Uint8Array(object as ArrayBuffer)) };
    }
    if (ArrayBuffer.isView(object)) {
      return { [TAG]: 'bytes', type: kind, base64: base64(new Uint8Array(object.buffer, object.byteOffset, object.byteLength)) };
    }
    const own = special?.(object);
    if (own !== undefined) return own;
    if (ancestors.includes(object)) throw new TypeError('Converting circular structure to JSON');
    ancestors.push(object);
    try {
      if (Array.isArray(object)) return object.map((item: unknown) => walk(item));
      if (kind !== 'Object') return {};
      const out: { [key: string]: Wire } = {};
      for (const key in object) out[key] = walk((object as Record<string, unknown>)[key]);
      // A member named like the tag is wrapped, so that data never reads as a tag.
      return Object.prototype.hasOwnProperty.call(out, TAG) ? { [TAG]: 'object', value: out } : out;
    } finally {
      ancestors.pop();
    }
  };
  return walk(value);
}

/**
 * The value `toWire` encoded, made of this realm's objects. Tags other than the ones toWire
 * writes go to `revive` (credentials, errors); without it they are a TypeError.
 */
export function fromWire(value: Wire, revive?: (tagged: Tagged) => unknown): unknown {
  const TAG = '$fedkit';
  const fromBase64 = (text: string): Uint8Array => {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  };
  const walk = (v: Wire): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(walk);
    const tag = v[TAG];
    if (typeof tag !== 'string') {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) out[key] = walk(v[key] as Wire);
      return out;
    }
    switch (tag) {
      case 'undefined':
        return undefined;
      case 'number':
        return v['value'] === '-0' ? -0 : Number(v['value']);
      case 'bigint':
        return BigInt(String(v['value']));
      case 'object': {
        const out: Record<string, unknown> = {};
        const inner = v['value'] as { [key: string]: Wire };
        for (const key of Object.keys(inner)) out[key] = walk(inner[key] as Wire);
        return out;
      }
      case 'bytes': {
        const bytes = fromBase64(String(v['base64']));
        const type = String(v['type']);
        if (type === 'ArrayBuffer') return bytes.buffer;
        if (type === 'SharedArrayBuffer' && typeof SharedArrayBuffer === 'function') {
          const shared = new SharedArrayBuffer(bytes.length);
          new Uint8Array(shared).set(bytes);
          return shared;
        }
        const View = (globalThis as unknown as Record<string, unknown>)[type];
        if (typeof View !== 'function') return bytes.buffer;
        return new (View as new (buffer: ArrayBuffer) => unknown)(bytes.buffer as ArrayBuffer);
      }
      default:
        if (revive) return revive(v as Tagged);
        throw new TypeError(`Unknown value of kind ${tag}.`);
    }
  };
  return walk(value);
}
