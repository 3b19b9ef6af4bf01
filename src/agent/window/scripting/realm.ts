// Crossing between the page's realm and the agent's. The page's scripts run in jsdom's window, a
// vm context with its own intrinsics (Promise, TypeError, JSON…), while the agent's objects are
// Node's. Values going to the page are made its own (errors, promises), values coming from it
// are made the agent's (options, signals), so that `instanceof` holds on both sides. The same
// holds for a window a test framework made (exposeToWindow): Jest runs test code inside jsdom's
// vm context; Vitest runs it in Node's realm with jsdom's DOMException.

import { Script, type Context } from 'node:vm';
import { IdentityCredentialError, type IdentityCredentialErrorInit } from '../../fedcm/identity-credential.js';
import type { DOMWindow } from '../../base/jsdom.js';

/** Each realm's IdentityCredentialError, keyed by that realm's DOMException. */
const pageIdentityCredentialErrors = new WeakMap<object, typeof IdentityCredentialError>();

/**
 * The window's `IdentityCredentialError` interface (FedCM §2.3: a DOMException). Where the
 * window's DOMException is not the agent's (a jsdom window has its own), it is a subclass of the
 * window's, so that `e instanceof DOMException` holds in the page as in a browser.
 */
export function pageIdentityCredentialError(window: DOMWindow): typeof IdentityCredentialError {
  const PageDOMException = window.DOMException as typeof DOMException | undefined;
  if (typeof PageDOMException !== 'function' || PageDOMException === DOMException) return IdentityCredentialError;
  let PageError = pageIdentityCredentialErrors.get(PageDOMException);
  if (PageError === undefined) {
    PageError = class IdentityCredentialError extends PageDOMException {
      readonly error: string;
      readonly url: string;
      constructor(message = '', options: IdentityCredentialErrorInit = {}) {
        super(String(message), 'IdentityCredentialError');
        this.error = options.error === undefined ? '' : String(options.error);
        this.url = options.url === undefined ? '' : String(options.url);
      }
    };
    pageIdentityCredentialErrors.set(PageDOMException, PageError);
  }
  return PageError;
}

/**
 * An agent-side error in the page's realm: DOMException, IdentityCredentialError and TypeError
 * become the page's own, keeping `cause` (the diagnostic).
 */
export function pageError(window: DOMWindow | undefined, e: unknown): unknown {
  if (window === undefined) return e;
  const withCause = (pe: Error, from: Error): Error => {
    if ('cause' in from) Object.defineProperty(pe, 'cause', { value: from.cause, configurable: true, writable: true });
    return pe;
  };
  if (e instanceof IdentityCredentialError && e.constructor === IdentityCredentialError) {
    const PageError = pageIdentityCredentialError(window);
    return PageError === IdentityCredentialError ? e : withCause(new PageError(e.message, { error: e.error, url: e.url }), e);
  }
  if (e instanceof DOMException && e.constructor === DOMException) {
    return withCause(new (window.DOMException as typeof DOMException)(e.message, e.name), e);
  }
  if (e instanceof TypeError && e.constructor === TypeError) return withCause(new (window.TypeError as TypeErrorConstructor)(e.message), e);
  return e;
}

/** `p` as a promise of the page's realm, rejections converted with pageError. */
export function pagePromise<T>(window: DOMWindow, p: Promise<T>): Promise<T> {
  const P = window.Promise as PromiseConstructor;
  return new P<T>((resolve, reject) => {
    p.then(resolve, (e: unknown) => reject(pageError(window, e)));
  });
}

/**
 * An interface object that cannot be constructed (`new CredentialsContainer()` throws the page's
 * TypeError), for `instanceof`.
 * WebIDL §3.7.1 "interface object": one without a constructor throws a TypeError when called.
 */
export function illegalConstructor(window: DOMWindow, name: string, prototype: object, statics: Record<string, unknown> = {}): object {
  const f = function (): never {
    throw pageError(window, new TypeError('Illegal constructor'));
  };
  Object.defineProperty(f, 'name', { value: name });
  Object.defineProperty(f, 'prototype', { value: prototype, writable: false });
  for (const [k, v] of Object.entries(statics)) Object.defineProperty(f, k, { value: v, configurable: true, writable: true });
  return f;
}

/**
 * An interface object of the agent's (PasswordCredential, FederatedCredential, OTPCredential) as
 * the page sees it: constructing it and calling its static isConditionalMediationAvailable() throw
 * and reject with the page's own errors and promises; prototype and `instanceof` are the class's.
 */
export function pageInterface<T extends object>(window: DOMWindow, ctor: T): T {
  const isConditionalMediationAvailable = (): Promise<boolean> =>
    pagePromise(window, Promise.resolve().then(() => (ctor as unknown as { isConditionalMediationAvailable(): Promise<boolean> }).isConditionalMediationAvailable()));
  const page = (run: () => object): object => {
    try {
      return run();
    } catch (e) {
      throw pageError(window, e);
    }
  };
  return new Proxy(ctor, {
    construct: (target, args: unknown[], newTarget: object) => page(() => Reflect.construct(target as new (...a: unknown[]) => object, args, newTarget as new (...a: unknown[]) => object) as object),
    apply: (target, thisArg: unknown, args: unknown[]) => page(() => Reflect.apply(target as (...a: unknown[]) => object, thisArg, args)),
    get: (target, property, receiver) => (property === 'isConditionalMediationAvailable' ? isConditionalMediationAvailable : Reflect.get(target, property, receiver)),
  });
}

/** The page's AbortSignal as one of the agent's (which checks `instanceof AbortSignal`). */
export function agentSignal(value: unknown): unknown {
  if (value instanceof AbortSignal || value === undefined || value === null || typeof value !== 'object') return value;
  const page = value as { aborted?: unknown; reason?: unknown; addEventListener?: (type: string, fn: () => void, o?: object) => void };
  if (typeof page.aborted !== 'boolean' || typeof page.addEventListener !== 'function') return value;
  const controller = new AbortController();
  if (page.aborted) controller.abort(page.reason);
  else page.addEventListener('abort', () => controller.abort(page.reason), { once: true });
  return controller.signal;
}

/**
 * Credential request options from the page, in the agent's realm: members are structured-cloned
 * (so that ArrayBuffers, arrays and objects are the agent's own), except those that cannot be
 * (a form element) and the signal, which is bridged.
 */
export function agentOptions(options: unknown): unknown {
  if (options === null || typeof options !== 'object') return options;
  const out: Record<string, unknown> = {};
  for (const key in options) {
    const v = (options as Record<string, unknown>)[key];
    if (key === 'signal') {
      out[key] = agentSignal(v);
      continue;
    }
    try {
      out[key] = structuredClone(v);
    } catch {
      out[key] = v;
    }
  }
  return out;
}

/** `value` structured-cloned into the agent's realm, or `value` itself when it cannot be cloned. */
export function structuredCloneOr(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

/** Compiles and runs `code` in the window's realm (jsdom's window is its vm context). */
export function vmRun(code: string, filename: string, window: DOMWindow): unknown {
  return new Script(code, { filename }).runInContext(window as unknown as Context);
}
