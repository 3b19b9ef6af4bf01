// The agent's APIs in a window that is not the agent's: a jsdom window a test framework made
// (Vitest's or Jest's jsdom environment). The window gets the frame's navigator.credentials,
// IdentityCredential, IdentityProvider, navigator.login and the other credential interfaces,
// converted into the window's realm exactly as for pages the agent runs itself; the rest of the
// window (its DOM, its fetch, its cookies) stays the test framework's.

import type { Frame } from './frame.js';
import type { DOMWindow } from '../base/jsdom.js';
import { WIRED_PROPERTIES, wireWindow } from './scripting/page-apis.js';
import type { CredentialRequestEvent } from './scripting/types.js';

export interface ExposeOptions {
  /** Make `document.cookie` the agent's jar (default false: the window keeps its own). */
  documentCookie?: boolean;
  /** Every call to navigator.credentials, with what the agent answered. */
  onCredentialRequest?: (event: CredentialRequestEvent) => void;
  /**
   * User activation: events of these types anywhere in the window give the frame transient
   * activation (HTML §6.4.3), as a real click would. jsdom has no trusted events, so any event a
   * test dispatches counts (default: click, keydown, pointerup, touchend).
   */
  activationEvents?: readonly string[];
}

const ACTIVATION_EVENTS = ['click', 'keydown', 'pointerup', 'touchend'] as const;

/**
 * Gives `window` the APIs of the agent's document `frame` (CM §2.3 navigator.credentials,
 * FedCM §2.2–§2.4, Login Status navigator.login). Returns a function that puts the window back
 * as it was.
 */
export function exposeToWindow(window: object, frame: Frame, options: ExposeOptions = {}): () => void {
  const w = window as DOMWindow;
  if (typeof w.document !== 'object' || typeof w.navigator !== 'object') {
    throw new TypeError('exposeToWindow: expected a DOM window (a jsdom window, with document and navigator).');
  }
  const targets = { window: w, navigator: w.navigator as object, document: w.document as object };
  const saved: { target: object; name: string; descriptor: PropertyDescriptor | undefined }[] = [];
  for (const [key, names] of Object.entries(WIRED_PROPERTIES) as [keyof typeof targets, readonly string[]][]) {
    for (const name of names) saved.push({ target: targets[key], name, descriptor: Object.getOwnPropertyDescriptor(targets[key], name) });
  }
  wireWindow(w, frame, {
    onCredentialRequest: options.onCredentialRequest,
    onWindowClose: undefined,
    log: () => {},
    documentCookie: options.documentCookie ?? false,
    windowClose: false,
  });
  const activate = (): void => frame.activate();
  const types = options.activationEvents ?? ACTIVATION_EVENTS;
  for (const type of types) w.addEventListener(type, activate, { capture: true });
  return () => {
    for (const type of types) w.removeEventListener(type, activate, { capture: true });
    for (const { target, name, descriptor } of saved) {
      if (descriptor) Object.defineProperty(target, name, descriptor);
      else delete (target as Record<string, unknown>)[name];
    }
  };
}
