// Crossing between the page's realm and the agent's. The page's scripts run in jsdom's window, a
// vm context with its own intrinsics (Promise, TypeError, JSON…), while the agent's objects are
// Node's. Values going to the page are made its own (errors, promises), values coming from it
// are made the agent's (options, signals), so that `instanceof` holds on both sides.

import { Script, type Context } from 'node:vm';
import type { DOMWindow } from './jsdom.js';

/** An agent-side error in the page's realm: DOMException and TypeError become the page's own. */
export function pageError(window: DOMWindow | undefined, e: unknown): unknown {
  if (window === undefined) return e;
  const withCause = (pe: Error, from: Error): Error => {
    if ('cause' in from) Object.defineProperty(pe, 'cause', { value: from.cause, configurable: true, writable: true });
    return pe;
  };
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
 * An interface object that cannot be constructed (`new CredentialsContainer()` throws), for `instanceof`.
 * WebIDL §3.7.1 "interface object": one without a constructor throws a TypeError when called.
 */
export function illegalConstructor(name: string, prototype: object, statics: Record<string, unknown> = {}): object {
  const f = function (): never {
    throw new TypeError('Illegal constructor');
  };
  Object.defineProperty(f, 'name', { value: name });
  Object.defineProperty(f, 'prototype', { value: prototype, writable: false });
  for (const [k, v] of Object.entries(statics)) Object.defineProperty(f, k, { value: v, configurable: true, writable: true });
  return f;
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
