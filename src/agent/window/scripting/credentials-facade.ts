// navigator.credentials as the page sees it: a CredentialsContainer of its own whose methods hand
// each call to the frame's container (the agent's), the options converted into the agent's realm
// and the answer, or the rejection, converted back into the page's. Every call is reported to
// `onCredentialRequest` with what the agent received and answered.

import type { Credential } from '../../credentials/contract/credential.js';
import type { CredentialCreationOptions, CredentialRequestOptions } from '../../credentials/options.js';
import type { Frame } from '../frame.js';
import type { DOMWindow } from '../../base/jsdom.js';
import { agentOptions, pagePromise } from './realm.js';
import type { CredentialRequestEvent, RunScriptsOptions } from './types.js';

/** The page-visible CredentialsContainer: delegates to the frame's, in the page's realm. */
export class PageCredentialsContainer {
  readonly #call: (method: CredentialRequestEvent['method'], arg: unknown) => Promise<unknown>;
  constructor(call: (method: CredentialRequestEvent['method'], arg: unknown) => Promise<unknown>) {
    this.#call = call;
  }
  get(options?: unknown): Promise<unknown> {
    return this.#call('get', options);
  }
  store(credential: unknown): Promise<unknown> {
    return this.#call('store', credential);
  }
  create(options?: unknown): Promise<unknown> {
    return this.#call('create', options);
  }
  preventSilentAccess(): Promise<unknown> {
    return this.#call('preventSilentAccess', undefined);
  }
  get [Symbol.toStringTag](): string {
    return 'CredentialsContainer';
  }
}

/**
 * The page's `navigator.credentials` for the frame's `container`.
 * Credential Management §2.3 "navigator.credentials": get(), store(), create(), preventSilentAccess().
 */
export function pageCredentialsContainer(
  window: DOMWindow,
  container: NonNullable<Frame['navigator']['credentials']>,
  onCredentialRequest: RunScriptsOptions['onCredentialRequest'],
): PageCredentialsContainer {
  const call = (method: CredentialRequestEvent['method'], arg: unknown): Promise<unknown> => {
    const converted = method === 'store' ? arg : agentOptions(arg);
    let result: Promise<unknown>;
    try {
      switch (method) {
        case 'get':
          // What a script passes reaches get() unchecked; WebIDL conversion sorts it out.
          result = container.get(converted as CredentialRequestOptions);
          break;
        case 'create':
          result = container.create(converted as CredentialCreationOptions);
          break;
        case 'store':
          result = container.store(converted as Credential);
          break;
        case 'preventSilentAccess':
          result = container.preventSilentAccess();
          break;
      }
    } catch (e) {
      result = Promise.reject(e);
    }
    onCredentialRequest?.({ method, options: converted, result });
    return pagePromise(window, result);
  };
  return new PageCredentialsContainer(call);
}
