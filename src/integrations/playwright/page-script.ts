// The init script: what every document of the browser context runs before its own scripts
// (context.addInitScript). In secure contexts ([SecureContext], as browsers expose them) it
// defines the credential interfaces of fedkit's agent in the page's own realm —
// navigator.credentials, Credential, IdentityCredential (static disconnect),
// IdentityCredentialError, IdentityProvider, navigator.login, PasswordCredential,
// FederatedCredential, OTPCredential, PublicKeyCredential and its responses — replacing the
// browser's. Every call goes through the one binding to the agent (dispatcher.ts); results and
// errors come back as objects of the page's realm, so `instanceof IdentityCredential` holds.
//
// `pageScript` runs in the page: initScriptSource() embeds its source with the wire codec's, the
// constructors' rules' and the overlay's, so it must be self-contained (type imports only). The binding is taken off
// `window` before the page's scripts run, so they cannot call the agent except through these
// interfaces.

import type { ApiName, CallMessage, CredentialInterface, CredentialTag, ErrorTag, PageMessage, Reply } from './protocol.js';
import { createOverlay, type Overlay } from './overlay.js';
import { credentialDataRules } from './page-credential-data.js';
import { fromWire, toWire, type Tagged, type Wire } from './wire.js';

export interface PageScriptConfig {
  /** The binding's name (context.exposeBinding). */
  binding: string;
  /** `Symbol.for(key)` names the page's control object (PageControl). */
  key: string;
}

/** What Node drives in a page with evaluate(): `window[Symbol.for(key)]`. */
export interface PageControl {
  /**
   * Opens a window with the page's own `window.open`, captured before the page's scripts ran
   * (HTML §7.2.2.1 "window open steps"): true when a window opened (a popup blocker says null).
   */
  open(url: string, name: string, features: string): boolean;
  /** The dialog drawn in this document (made on first use). */
  readonly overlay: Overlay | undefined;
  /** Puts the page's interfaces back as they were and removes the overlay. */
  uninstall(): void;
}

/** What the page script embeds (each a self-contained function of its own file). */
export interface PageParts {
  encode: typeof toWire;
  decode: typeof fromWire;
  makeRules: typeof credentialDataRules;
  makeOverlay: typeof createOverlay | null;
}

/** The init script for `config`: the page script with the codec, the constructors' rules and the overlay. */
export function initScriptSource(config: PageScriptConfig, drawDialog: boolean): string {
  const parts = `{ encode: ${toWire.toString()}, decode: ${fromWire.toString()}, makeRules: ${credentialDataRules.toString()}, makeOverlay: ${drawDialog ? createOverlay.toString() : 'null'} }`;
  return `(${pageScript.toString()})(${JSON.stringify(config)}, ${parts});`;
}

/**
 * Installs the interfaces in this document. Credential Management §2.3 (navigator.credentials,
 * CredentialsContainer), §3.2 / §4.1 (PasswordCredential, FederatedCredential constructors),
 * FedCM §2.2–§2.4 (IdentityCredential, IdentityCredentialError, IdentityProvider), Login Status
 * §"navigator.login", WebOTP §2.2, WebAuthn §5.1 / §5.2.
 */
export function pageScript(config: PageScriptConfig, parts: PageParts): void {
  const { encode, decode, makeRules, makeOverlay } = parts;
  const w = window as unknown as Window & Record<PropertyKey, unknown>;
  const KEY = Symbol.for(config.key);
  if (Object.prototype.hasOwnProperty.call(w, KEY)) return;
  const binding = w[config.binding] as ((text: string) => Promise<string>) | undefined;
  if (typeof binding !== 'function') return;
  try {
    delete w[config.binding];
  } catch {
    // A non-configurable global stays; the interfaces still work.
  }
  const docId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const originalOpen = w.open;
  const restorers: (() => void)[] = [];
  const keep = (target: object, name: PropertyKey): void => {
    const saved = Object.getOwnPropertyDescriptor(target, name);
    restorers.push(() => {
      if (saved) Object.defineProperty(target, name, saved);
      else delete (target as Record<PropertyKey, unknown>)[name];
    });
  };
  const define = (target: object, name: string, value: unknown): void => {
    keep(target, name);
    Object.defineProperty(target, name, { value, configurable: true, writable: true, enumerable: false });
  };
  const getter = (target: object, name: string, get: () => unknown): void => {
    keep(target, name);
    Object.defineProperty(target, name, { get, configurable: true, enumerable: true });
  };

  const from = () => ({ doc: docId, url: location.href, windowName: w === w.top ? w.name : '' });
  const post = (message: PageMessage): Promise<Reply> => binding(JSON.stringify(message)).then((text) => JSON.parse(text) as Reply);

  let overlay: Overlay | undefined;
  const control: PageControl = {
    open: (url, name, features) => originalOpen.call(w, url, name, features) !== null,
    get overlay() {
      if (overlay === undefined && makeOverlay !== null && w === w.top) {
        overlay = makeOverlay((dialogId, command) => void post({ op: 'dialog', ...from(), dialogId, command }).catch(() => {}));
      }
      return overlay;
    },
    uninstall: () => {
      for (const restore of restorers.splice(0).reverse()) restore();
      overlay?.remove();
      delete w[KEY];
    },
  };
  Object.defineProperty(w, KEY, { value: control, configurable: true });
  if (!w.isSecureContext) return;

  // HTML §6.4.3 transient activation, as a browser's own process sees it: an activation-triggering
  // input event that really came from the user (isTrusted) within the last 5 s, not yet consumed
  // (navigator.userActivation). Playwright's evaluate() gives the renderer a user gesture without
  // any input event; Chromium's FedCM does not count that (its check is in the browser process),
  // and neither does this one.
  let lastActivation = -Infinity;
  const onInput = (event: Event): void => {
    if (!event.isTrusted) return;
    if (event instanceof KeyboardEvent && event.key === 'Escape') return;
    if (event instanceof PointerEvent && event.type === 'pointerup' && event.pointerType === 'mouse') return;
    lastActivation = performance.now();
  };
  for (const type of ['keydown', 'mousedown', 'pointerdown', 'pointerup', 'touchend']) {
    w.addEventListener(type, onInput, true);
    restorers.push(() => w.removeEventListener(type, onInput, true));
  }
  const nav = navigator as Navigator & { userActivation?: { isActive: boolean } };
  const isActive = (): boolean => performance.now() - lastActivation < 5000 && (nav.userActivation === undefined || nav.userActivation.isActive);

  // The objects' internal slots, out of the page's reach.
  const internal = Symbol('internal');
  interface Slots {
    interface: string;
    handle: string | null;
    values: Record<string, unknown>;
  }
  const slots = new WeakMap<object, Slots>();
  const read = (self: object, name: string): unknown => {
    const s = slots.get(self);
    if (s === undefined) throw new TypeError('Illegal invocation');
    return s.values[name];
  };
  const attributes = (ctor: { prototype: object }, names: string[]): void => {
    for (const name of names) {
      Object.defineProperty(ctor.prototype, name, {
        get(this: object) {
          return read(this, name);
        },
        enumerable: true,
        configurable: true,
      });
    }
  };
  const shape = (ctor: { prototype: object }, name: string, length = 0): void => {
    Object.defineProperty(ctor.prototype, Symbol.toStringTag, { value: name, configurable: true });
    Object.defineProperty(ctor, 'length', { value: length });
  };
  const classOf = (v: unknown): string => Object.prototype.toString.call(v).slice(8, -1);

  // FedCM §2.3: IdentityCredentialError, a DOMException named "IdentityCredentialError".
  class IdentityCredentialError extends DOMException {
    constructor(message: unknown = '', options: { error?: unknown; url?: unknown } | null = {}) {
      super(String(message), 'IdentityCredentialError');
      const o = options ?? {};
      slots.set(this, { interface: 'IdentityCredentialError', handle: null, values: { error: o.error === undefined ? '' : String(o.error), url: o.url === undefined ? '' : String(o.url) } });
    }
  }
  attributes(IdentityCredentialError, ['error', 'url']);
  shape(IdentityCredentialError, 'IdentityCredentialError');

  // Credential Management §2.2: Credential (no constructor for pages).
  class Credential {
    constructor(key?: unknown, s?: Slots) {
      if (key !== internal || s === undefined) throw new TypeError('Illegal constructor');
      slots.set(this, s);
    }
    static isConditionalMediationAvailable(): Promise<unknown> {
      return call('Credential.isConditionalMediationAvailable', []);
    }
  }
  attributes(Credential, ['id', 'type']);
  shape(Credential, 'Credential');

  // FedCM §2.2 IdentityCredential, with the static disconnect() (FedCM §2.2.2).
  class IdentityCredential extends Credential {
    static disconnect(options?: unknown): Promise<unknown> {
      return call('IdentityCredential.disconnect', [options]);
    }
  }
  attributes(IdentityCredential, ['token', 'isAutoSelected', 'configURL']);
  shape(IdentityCredential, 'IdentityCredential');

  const rules = makeRules(() => w.origin);

  // CM §3.2 PasswordCredential: constructor(HTMLFormElement) and constructor(PasswordCredentialData).
  class PasswordCredential extends Credential {
    constructor(...args: unknown[]) {
      if (args[0] === internal) {
        super(internal, args[1] as Slots);
        return;
      }
      super(internal, { interface: 'PasswordCredential', handle: null, values: rules.password(args) });
    }
  }
  attributes(PasswordCredential, ['password', 'name', 'iconURL']);
  shape(PasswordCredential, 'PasswordCredential', 1);

  // CM §4.1 FederatedCredential: constructor(FederatedCredentialInit), CM §4.2.4.
  class FederatedCredential extends Credential {
    constructor(...args: unknown[]) {
      if (args[0] === internal) {
        super(internal, args[1] as Slots);
        return;
      }
      super(internal, { interface: 'FederatedCredential', handle: null, values: rules.federated(args) });
    }
  }
  attributes(FederatedCredential, ['provider', 'protocol', 'name', 'iconURL']);
  shape(FederatedCredential, 'FederatedCredential', 1);

  // WebOTP §2.2 OTPCredential (no constructor).
  class OTPCredential extends Credential {}
  attributes(OTPCredential, ['code']);
  shape(OTPCredential, 'OTPCredential');

  // WebAuthn §5.2 AuthenticatorResponse and its two kinds.
  class AuthenticatorResponse {
    constructor(key?: unknown, s?: Slots) {
      if (key !== internal || s === undefined) throw new TypeError('Illegal constructor');
      slots.set(this, s);
    }
  }
  attributes(AuthenticatorResponse, ['clientDataJSON']);
  shape(AuthenticatorResponse, 'AuthenticatorResponse');
  class AuthenticatorAttestationResponse extends AuthenticatorResponse {
    getTransports(): unknown {
      return [...(read(this, 'transports') as string[])];
    }
    getAuthenticatorData(): unknown {
      return read(this, 'authenticatorData');
    }
    getPublicKey(): unknown {
      return read(this, 'publicKey');
    }
    getPublicKeyAlgorithm(): unknown {
      return read(this, 'publicKeyAlgorithm');
    }
  }
  attributes(AuthenticatorAttestationResponse, ['attestationObject']);
  shape(AuthenticatorAttestationResponse, 'AuthenticatorAttestationResponse');
  class AuthenticatorAssertionResponse extends AuthenticatorResponse {}
  attributes(AuthenticatorAssertionResponse, ['authenticatorData', 'signature', 'userHandle']);
  shape(AuthenticatorAssertionResponse, 'AuthenticatorAssertionResponse');

  // WebAuthn §5.1 PublicKeyCredential; the statics ask the agent's authenticators.
  class PublicKeyCredential extends Credential {
    getClientExtensionResults(): unknown {
      return read(this, 'clientExtensionResults');
    }
    toJSON(): unknown {
      return JSON.parse(JSON.stringify(read(this, 'json'))) as unknown;
    }
    static override isConditionalMediationAvailable(): Promise<unknown> {
      return call('PublicKeyCredential.isConditionalMediationAvailable', []);
    }
    static isUserVerifyingPlatformAuthenticatorAvailable(): Promise<unknown> {
      return call('PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable', []);
    }
    static getClientCapabilities(): Promise<unknown> {
      return call('PublicKeyCredential.getClientCapabilities', []);
    }
  }
  attributes(PublicKeyCredential, ['rawId', 'response', 'authenticatorAttachment']);
  shape(PublicKeyCredential, 'PublicKeyCredential');

  const interfaces: Record<CredentialInterface, new (key: symbol, s: Slots) => Credential> = {
    IdentityCredential,
    PasswordCredential: PasswordCredential as unknown as new (key: symbol, s: Slots) => Credential,
    FederatedCredential: FederatedCredential as unknown as new (key: symbol, s: Slots) => Credential,
    OTPCredential,
    PublicKeyCredential,
  };

  // Values from the agent: errors and credentials of this realm.
  const revive = (tagged: Tagged): unknown => {
    if (tagged.$fedkit === 'error') {
      const e = tagged as unknown as ErrorTag;
      switch (e.kind) {
        case 'IdentityCredentialError':
          return new IdentityCredentialError(e.message, { error: e.error, url: e.url });
        case 'DOMException':
          return new DOMException(e.message, e.name);
        case 'TypeError':
          return new TypeError(e.message);
        case 'RangeError':
          return new RangeError(e.message);
        case 'SyntaxError':
          return new SyntaxError(e.message);
        default: {
          const error = new Error(e.message);
          error.name = e.name;
          return error;
        }
      }
    }
    if (tagged.$fedkit === 'credential') {
      const c = tagged as unknown as CredentialTag;
      const values = decode(c.data, revive) as Record<string, unknown>;
      if (c.interface === 'PublicKeyCredential') {
        const r = values['response'] as Record<string, unknown>;
        const kind = r['kind'] === 'attestation' ? AuthenticatorAttestationResponse : AuthenticatorAssertionResponse;
        values['response'] = new kind(internal, { interface: kind.name, handle: null, values: r });
      }
      return new interfaces[c.interface](internal, { interface: c.interface, handle: c.handle, values });
    }
    throw new TypeError(`Unexpected value from the agent (${tagged.$fedkit}).`);
  };
  // Values to the agent: this realm's credentials by handle, or by their data when the page made them.
  const special = (v: object): Wire | undefined => {
    if (!(v instanceof Credential)) return undefined;
    const s = slots.get(v);
    if (s === undefined) return undefined;
    const data = encode(s.values) as { [key: string]: Wire };
    const tag: CredentialTag = { $fedkit: 'credential', interface: s.interface as CredentialInterface, handle: s.handle, data };
    return tag as unknown as Wire;
  };

  let nextId = 0;
  /** One call through the binding; the answer settles a promise of this realm. */
  const send = (api: ApiName, args: Wire[], signal?: AbortSignal): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const message: CallMessage = { op: 'call', id, api, args, active: isActive(), ...from(), ...(signal ? { signal: { aborted: signal.aborted } } : {}) };
      const onAbort = (): void => void post({ op: 'abort', id, ...from() }).catch(() => {});
      if (signal && !signal.aborted) signal.addEventListener('abort', onAbort, { once: true });
      post(message).then(
        (reply) => {
          signal?.removeEventListener('abort', onAbort);
          if (reply.ok) resolve(decode(reply.value, revive));
          else if ('aborted' in reply) reject(signal?.reason);
          else reject(decode(reply.error, revive));
        },
        (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(new DOMException(`fedkit/playwright could not reach the agent: ${e instanceof Error ? e.message : String(e)}`, 'UnknownError'));
        },
      );
    });
  const call = (api: ApiName, args: unknown[]): Promise<unknown> => {
    let wire: Wire[];
    try {
      wire = args.map((a) => encode(a, special));
    } catch (e) {
      return Promise.reject(e);
    }
    return send(api, wire);
  };
  /**
   * get() and create(): the options dictionary with its signal kept in this realm (its abort is
   * sent as a message) and, for create(), a password form read here (CM §3.3.4).
   */
  const request = (api: ApiName, options: unknown): Promise<unknown> => {
    let signal: AbortSignal | undefined;
    let wire: Wire;
    try {
      let rest: unknown = options;
      if (options !== null && typeof options === 'object') {
        const copy: Record<string, unknown> = {};
        for (const key in options) copy[key] = (options as Record<string, unknown>)[key];
        if (classOf(copy['signal']) === 'AbortSignal') {
          signal = copy['signal'] as AbortSignal;
          delete copy['signal'];
        }
        if (api === 'credentials.create' && rules.isForm(copy['password'])) copy['password'] = rules.formData(copy['password']);
        rest = copy;
      }
      wire = encode(rest, special);
    } catch (e) {
      return Promise.reject(e);
    }
    return send(api, [wire], signal);
  };

  // CM §2.3 CredentialsContainer.
  class CredentialsContainer {
    constructor(key?: unknown) {
      if (key !== internal) throw new TypeError('Illegal constructor');
    }
    get(options?: unknown): Promise<unknown> {
      return request('credentials.get', options);
    }
    store(credential: unknown): Promise<unknown> {
      return call('credentials.store', [credential]);
    }
    create(options?: unknown): Promise<unknown> {
      return request('credentials.create', options);
    }
    preventSilentAccess(): Promise<unknown> {
      return call('credentials.preventSilentAccess', []);
    }
  }
  shape(CredentialsContainer, 'CredentialsContainer');

  // Login Status §"navigator.login".
  class NavigatorLogin {
    constructor(key?: unknown) {
      if (key !== internal) throw new TypeError('Illegal constructor');
    }
    setStatus(status: unknown): Promise<unknown> {
      return call('login.setStatus', [status]);
    }
  }
  shape(NavigatorLogin, 'NavigatorLogin');

  // FedCM §2.4 IdentityProvider: the IdP's pages end their popups with close() / resolve().
  class IdentityProvider {
    constructor() {
      throw new TypeError('Illegal constructor');
    }
    static close(): void {
      void call('IdentityProvider.close', []).catch(() => {});
    }
    static resolve(token: unknown, options?: unknown): Promise<unknown> {
      return call('IdentityProvider.resolve', options === undefined ? [token] : [token, options]);
    }
    static getUserInfo(config?: unknown): Promise<unknown> {
      return call('IdentityProvider.getUserInfo', [config]);
    }
  }
  shape(IdentityProvider, 'IdentityProvider');

  const container = new CredentialsContainer(internal);
  const login = new NavigatorLogin(internal);
  const proto = Object.getPrototypeOf(navigator) as object;
  getter(proto, 'credentials', () => container);
  getter(proto, 'login', () => login);
  const globals: Record<string, unknown> = {
    Credential,
    CredentialsContainer,
    IdentityCredential,
    IdentityCredentialError,
    IdentityProvider,
    NavigatorLogin,
    PasswordCredential,
    FederatedCredential,
    OTPCredential,
    PublicKeyCredential,
    AuthenticatorResponse,
    AuthenticatorAttestationResponse,
    AuthenticatorAssertionResponse,
  };
  for (const [name, value] of Object.entries(globals)) define(w, name, value);
}
