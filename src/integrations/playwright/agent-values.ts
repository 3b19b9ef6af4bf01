// The agent's side of the wire (wire.ts): the agent's credentials and errors as tagged values the
// page script turns into objects of the page's realm, and the page's values as the agent's
// again. A credential the agent gave a page keeps a handle, so that handing it back
// (`store(credential)`) gives the agent its own object; one the page constructed
// (`new PasswordCredential(…)`) is constructed again with the document's interface object, whose
// checks are the agent's.

import {
  AuthenticatorAttestationResponse,
  FederatedCredential,
  IdentityCredential,
  IdentityCredentialError,
  OTPCredential,
  PasswordCredential,
  PublicKeyCredential,
  type Credential,
  type Frame,
} from '../../agent/index.js';
import type { CredentialInterface, CredentialTag, ErrorTag } from './protocol.js';
import { fromWire, toWire, type Tagged, type Wire } from './wire.js';

/** How many credentials the pages may hold handles to before the oldest are forgotten. */
const HANDLES_KEPT = 1000;

/** The agent's credentials that pages hold, by handle. */
export class CredentialHandles {
  #next = 0;
  readonly #byHandle = new Map<string, Credential>();

  add(credential: Credential): string {
    const handle = `c${++this.#next}`;
    this.#byHandle.set(handle, credential);
    if (this.#byHandle.size > HANDLES_KEPT) this.#byHandle.delete(this.#byHandle.keys().next().value as string);
    return handle;
  }

  get(handle: string): Credential | undefined {
    return this.#byHandle.get(handle);
  }

  clear(): void {
    this.#byHandle.clear();
  }
}

/** An error as the page should see it: the same kind, name and message (and error/url). */
export function errorTag(e: unknown): ErrorTag {
  if (e instanceof IdentityCredentialError) return { $fedkit: 'error', kind: 'IdentityCredentialError', name: e.name, message: e.message, error: e.error, url: e.url };
  if (e instanceof DOMException) return { $fedkit: 'error', kind: 'DOMException', name: e.name, message: e.message };
  if (e instanceof TypeError) return { $fedkit: 'error', kind: 'TypeError', name: 'TypeError', message: e.message };
  if (e instanceof RangeError) return { $fedkit: 'error', kind: 'RangeError', name: 'RangeError', message: e.message };
  if (e instanceof SyntaxError) return { $fedkit: 'error', kind: 'SyntaxError', name: 'SyntaxError', message: e.message };
  if (e instanceof Error) return { $fedkit: 'error', kind: 'Error', name: e.name, message: e.message };
  return { $fedkit: 'error', kind: 'Error', name: 'Error', message: String(e) };
}

/** errorTag(e) as a wire value. */
export function errorWire(e: unknown): Wire {
  return errorTag(e) as unknown as Wire;
}

function credentialTag(iface: CredentialInterface, handle: string, data: Record<string, unknown>, encode: (v: unknown) => Wire): Wire {
  const tag: CredentialTag = { $fedkit: 'credential', interface: iface, handle, data: encode(data) as { [key: string]: Wire } };
  return tag as unknown as Wire;
}

/** A value the agent produced, for the page: credentials get a handle, errors keep their kind. */
export function toPage(value: unknown, handles: CredentialHandles): Wire {
  const encode = (v: unknown): Wire => toWire(v, special);
  const special = (v: object): Wire | undefined => {
    if (v instanceof IdentityCredential) {
      return credentialTag('IdentityCredential', handles.add(v), { id: v.id, type: v.type, token: v.token, isAutoSelected: v.isAutoSelected, configURL: v.configURL }, encode);
    }
    if (v instanceof PasswordCredential) {
      return credentialTag('PasswordCredential', handles.add(v), { id: v.id, type: v.type, password: v.password, name: v.name, iconURL: v.iconURL }, encode);
    }
    if (v instanceof FederatedCredential) {
      return credentialTag('FederatedCredential', handles.add(v), { id: v.id, type: v.type, provider: v.provider, protocol: v.protocol, name: v.name, iconURL: v.iconURL }, encode);
    }
    if (v instanceof OTPCredential) return credentialTag('OTPCredential', handles.add(v), { id: v.id, type: v.type, code: v.code }, encode);
    if (v instanceof PublicKeyCredential) {
      const r = v.response;
      const response =
        r instanceof AuthenticatorAttestationResponse
          ? {
              kind: 'attestation',
              clientDataJSON: r.clientDataJSON,
              attestationObject: r.attestationObject,
              transports: r.getTransports(),
              authenticatorData: r.getAuthenticatorData(),
              publicKey: r.getPublicKey(),
              publicKeyAlgorithm: r.getPublicKeyAlgorithm(),
            }
          : { kind: 'assertion', clientDataJSON: r.clientDataJSON, authenticatorData: r.authenticatorData, signature: r.signature, userHandle: r.userHandle };
      return credentialTag(
        'PublicKeyCredential',
        handles.add(v),
        { id: v.id, type: v.type, rawId: v.rawId, authenticatorAttachment: v.authenticatorAttachment, clientExtensionResults: v.getClientExtensionResults(), json: v.toJSON(), response },
        encode,
      );
    }
    if (v instanceof Error || v instanceof DOMException) return errorTag(v) as unknown as Wire;
    return undefined;
  };
  return encode(value);
}

/**
 * A value from the page, for the agent document `doc`: plain data as the agent's own objects,
 * credentials as the agent's credentials.
 */
export function fromPage(value: Wire, doc: Frame, handles: CredentialHandles): unknown {
  const revive = (tagged: Tagged): unknown => {
    if (tagged.$fedkit !== 'credential') throw new TypeError(`Unexpected value from the page (${tagged.$fedkit}).`);
    const c = tagged as unknown as CredentialTag;
    const known = c.handle === null ? undefined : handles.get(c.handle);
    if (known) return known;
    const data = fromWire(c.data) as Record<string, string | null | undefined>;
    const optional = (name: string): Record<string, string> => (typeof data[name] === 'string' ? { [name]: data[name] } : {});
    switch (c.interface) {
      case 'PasswordCredential':
        if (!doc.PasswordCredential) break;
        return new doc.PasswordCredential({ id: String(data['id']), password: String(data['password']), ...optional('name'), ...optional('iconURL'), ...optional('origin') });
      case 'FederatedCredential':
        if (!doc.FederatedCredential) break;
        return new doc.FederatedCredential({ id: String(data['id']), provider: String(data['provider']), ...optional('protocol'), ...optional('name'), ...optional('iconURL'), ...optional('origin') });
      default:
        break;
    }
    // Only the agent makes the other credentials; one it no longer knows cannot be rebuilt.
    throw new DOMException(`This ${c.interface} is no longer known to the agent.`, 'InvalidStateError');
  };
  return fromWire(value, revive);
}
