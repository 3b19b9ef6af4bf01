// What the WebAuthn client algorithms (WebAuthn §5.1.3 [[Create]], §5.1.4.1
// [[DiscoverFromExternalSource]]) are handed: the calling document's context, as the Credential
// Management container passes it, and the agent's WebAuthn state seen as the client's
// environment (its authenticators, the prompts that stand in for the user, its settings).
// Credential Management (the container) has already converted the options, checked the document
// is fully active, the abort signal and the Permissions Policy before calling in here (§5.9
// "Permissions Policy integration").

import type { Clock, Random } from '../base/clock.js';
import type { DiagnosticInit } from '../base/diagnostics.js';
import type { AgentDocument } from '../document/document.js';
import type { Authenticator, CredentialSummary } from './authenticator.js';
import type { PublicKeyCredential, PublicKeyCredentialInit } from './credential.js';

/** What the client uses of the agent core (a subset of AgentCore, so tests can build one). */
export interface WebAuthnCore {
  readonly clock: Clock;
  readonly random: Random;
  report(diagnostic: DiagnosticInit): void;
}

/**
 * The registry's CredentialContext with the core narrowed to what WebAuthn needs. Any
 * CredentialContext (src/agent/credentials/registry.ts) is one of these.
 */
export interface WebAuthnContext {
  core: WebAuthnCore;
  frame: AgentDocument;
  /** The document's serialized origin. */
  origin: string;
  /** Credential Management §2.3.2 "same-origin with its ancestors". */
  sameOriginWithAncestors: boolean;
  mediation: 'silent' | 'optional' | 'required' | 'conditional';
  signal: AbortSignal;
}

/** The account chooser's question: which of these credentials (§6.3.3 step 7). */
export interface CredentialChoiceRequest {
  origin: string;
  rpId: string;
  credentials: CredentialSummary[];
}

/** A conditional (autofill) request waiting for the user to pick a passkey (§5.1.4.1). */
export interface ConditionalRequestInfo {
  origin: string;
  rpId: string;
  /** The discoverable credentials it would offer now (silentCredentialDiscovery, filtered). */
  candidates(): CredentialSummary[];
}

/** What the client needs from the agent's WebAuthn state. */
export interface ClientEnvironment {
  authenticators(): readonly Authenticator[];
  /** Resolves when an authenticator is added or removed ("becomes available", §5.1.3 step 22). */
  authenticatorsChanged(signal: AbortSignal): Promise<void>;
  /** Resolves with the chosen credential ID (base64url), or null when the user cancels. */
  chooseCredential(request: CredentialChoiceRequest, signal: AbortSignal): Promise<string | null>;
  /** Resolves with the credential ID the user picks from the autofill list. */
  conditionalSelection(request: ConditionalRequestInfo, signal: AbortSignal): Promise<string>;
  /** Builds the agent's PublicKeyCredential (its own interface object). */
  credential(init: PublicKeyCredentialInit): PublicKeyCredential;
  readonly settings: { readonly clientDataGrease: boolean; readonly clampTimeouts: boolean };
}
