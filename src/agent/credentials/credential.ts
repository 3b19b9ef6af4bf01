// Credential Management §2.2 "The Credential interface".
//
// Page-visible objects are real classes so `instanceof` works as in a browser. They cannot be
// constructed by callers unless the platform allows it (IdentityCredential has no constructor);
// the agent builds them with a private key.

/** @internal Passed by the agent to constructors that pages may not call. */
export const internalConstruct: unique symbol = Symbol('fedkit.internalConstruct');

export class Credential {
  readonly id: string;
  readonly type: string;

  /** @internal */
  constructor(key: typeof internalConstruct, id: string, type: string) {
    if (key !== internalConstruct) throw new TypeError('Illegal constructor');
    this.id = id;
    this.type = type;
  }

  /** Credential Management §2.2: the base interface's own method returns false. */
  static isConditionalMediationAvailable(): Promise<boolean> {
    return Promise.resolve(false);
  }
}
