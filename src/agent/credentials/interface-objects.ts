// The interface objects a document sees (`window.PasswordCredential`, `window.FederatedCredential`).
// Browsers scope them to the realm: `new PasswordCredential(form)` takes the origin of the
// "current settings object" (Credential Management §3.2), so each frame gets its own constructor
// bound to its origin. They construct instances of the one PasswordCredential / FederatedCredential
// class, so `instanceof` works across frames and with the classes fedkit/agent exports.

import type { AgentDocument } from '../document/document.js';
import { FederatedCredential, constructFederatedCredential, type FederatedCredentialInit } from './federated.js';
import { PasswordCredential, constructPasswordCredential, type PasswordCredentialData } from './password.js';

/** `frame.PasswordCredential`: constructor(HTMLFormElement) and constructor(PasswordCredentialData). */
export interface PasswordCredentialConstructor {
  new (init: PasswordCredentialData | HTMLFormElement): PasswordCredential;
  readonly prototype: PasswordCredential;
  /** Credential Management §2.2: resolves false (no conditional mediation for passwords). */
  isConditionalMediationAvailable(): Promise<boolean>;
}

/** `frame.FederatedCredential`: constructor(FederatedCredentialInit). */
export interface FederatedCredentialConstructor {
  new (init: FederatedCredentialInit): FederatedCredential;
  readonly prototype: FederatedCredential;
  isConditionalMediationAvailable(): Promise<boolean>;
}

/**
 * A proxy of the class whose [[Construct]] runs WebIDL overload resolution with the frame's
 * origin; everything else (prototype, statics, instanceof) is the class's own.
 */
export function passwordCredentialInterface(frame: AgentDocument): PasswordCredentialConstructor {
  return new Proxy(PasswordCredential, {
    construct: (_target, args: unknown[]) => constructPasswordCredential(args, frame.origin),
  }) as unknown as PasswordCredentialConstructor;
}

export function federatedCredentialInterface(frame: AgentDocument): FederatedCredentialConstructor {
  return new Proxy(FederatedCredential, {
    construct: (_target, args: unknown[]) => constructFederatedCredential(args, frame.origin),
  }) as unknown as FederatedCredentialConstructor;
}
