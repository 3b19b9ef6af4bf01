// Credential Management §2.2 "The Credential interface".
//
// Page-visible objects are real classes so `instanceof` works as in a browser. They cannot be
// constructed by callers unless the platform allows it (IdentityCredential has no constructor);
// the agent builds them with a private key. Their shape follows WebIDL (WPT idlharness): attributes
// are accessors on the prototype, members are enumerable, the class string names the interface
// (`webIdlInterface`).

/** @internal Passed by the agent to constructors that pages may not call. */
export const internalConstruct: unique symbol = Symbol('fedkit.internalConstruct');

export class Credential {
  readonly #id: string;
  readonly #type: string;

  /** @internal */
  constructor(key: typeof internalConstruct, id: string, type: string) {
    if (key !== internalConstruct) throw new TypeError('Illegal constructor');
    this.#id = id;
    this.#type = type;
  }

  get id(): string {
    return this.#id;
  }

  get type(): string {
    return this.#type;
  }

  /** Credential Management §2.2: the base interface's own method returns false. */
  static isConditionalMediationAvailable(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

/**
 * @internal Gives a class the WebIDL shape of the interface `name` (WebIDL §3.7): prototype
 * members (other than `constructor` and `toJSON`) and static operations enumerable, the class
 * string `[object name]`, and the interface object's `length` (`constructorLength`, 0 when the
 * interface has no constructor).
 */
export function webIdlInterface(ctor: abstract new (...args: never[]) => unknown, name: string, constructorLength = 0): void {
  const proto = ctor.prototype as object;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === 'constructor' || key === 'toJSON') continue;
    Object.defineProperty(proto, key, { enumerable: true });
  }
  for (const key of Object.getOwnPropertyNames(ctor)) {
    const desc = Object.getOwnPropertyDescriptor(ctor, key);
    if (desc && typeof desc.value === 'function') Object.defineProperty(ctor, key, { enumerable: true });
  }
  Object.defineProperty(proto, Symbol.toStringTag, { value: name, writable: false, enumerable: false, configurable: true });
  Object.defineProperty(ctor, 'length', { value: constructorLength });
}

webIdlInterface(Credential, 'Credential');

/**
 * Not part of the interface: keeps `JSON.stringify(credential)` showing `id` and `type` (and an
 * interface's own data members, e.g. IdentityCredential's token) now that they are prototype
 * accessors; prototype accessors such as a password never appear. Defined outside the class so
 * that interfaces with their own toJSON() (PublicKeyCredential) are not overrides of it.
 */
Object.defineProperty(Credential.prototype, 'toJSON', {
  value: function toJSON(this: Credential): object {
    return { id: this.id, type: this.type, ...Object.fromEntries(Object.entries(this)) };
  },
  writable: true,
  enumerable: false,
  configurable: true,
});
