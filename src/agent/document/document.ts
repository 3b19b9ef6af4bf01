// The narrow interface of one document that every API needs: where it is (url, origin,
// ancestry), whether it may act (fully active, secure context, user activation, permissions
// policy), what it has pending, and its fetch. Chromium's APIs take a RenderFrameHost for the
// same reason: the algorithms ask the document, never the page that holds it. The agent's Frame
// (window/frame.ts) implements it.

import type { PopupWindow } from '../mediation/popup-window.js';
import type { PolicyFeature } from './permissions-policy.js';

/** HTML §6.4.3 "transient activation duration": Chromium keeps an activation for 5 seconds. */
export const TRANSIENT_ACTIVATION_MS = 5000;

/** The response that loaded a document (or answered its fetch). */
export interface DocumentResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** A navigation started by a document: a link, a script, a form submission. */
export interface NavigationInit {
  method?: 'GET' | 'POST';
  body?: string;
  contentType?: string;
  /** The origin of the document that started it. */
  initiator?: string;
  /**
   * A navigation a document started with the user's activation (a click on a link or a submit
   * button): it sends `Sec-Fetch-User: ?1`, as one the user started in the browser does.
   */
  userActivated?: boolean;
}

/** What a document's `fetch()` takes (the subset the agent's pages use). */
export interface DocumentFetchInit {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  credentials?: 'omit' | 'same-origin' | 'include';
}

/** A document's pending FedCM request, so that an active-mode request can replace it (FedCM §2.2.1). */
export interface PendingIdentityRequest {
  mode: 'active' | 'passive';
  cancel: (reason: 'replaced') => void;
}

export interface AgentDocument {
  /** The document's URL (after any redirects of the navigation that loaded it). */
  readonly url: URL;
  /** Serialized origin; "null" when opaque (sandboxed, data:). */
  readonly origin: string;
  readonly parent: AgentDocument | null;
  readonly top: AgentDocument;
  readonly children: readonly AgentDocument[];
  /** Origins of the ancestors, nearest first. */
  readonly ancestorOrigins: string[];
  /** HTML "fully active": not closed or removed, and its parent fully active. */
  readonly fullyActive: boolean;
  /** HTML "secure context". */
  readonly isSecureContext: boolean;
  /** HTML §6.4.3 transient activation (a click within the last 5 s). */
  readonly hasTransientActivation: boolean;
  /** HTML "consume user activation". */
  consumeActivation(): void;
  /** Permissions Policy "is feature enabled in document". */
  allowsFeature(feature: PolicyFeature): boolean;
  /** The response the document was loaded from (its CSP headers), absent when it was not loaded. */
  readonly response: DocumentResponse | undefined;
  /** Aborts when the document closes: requests waiting on the user or the phone end with it. */
  readonly lifetime: AbortSignal;
  /** Credential Management "active credential types" of this document's settings. */
  readonly activeCredentialTypes: Set<string>;
  /** The pending FedCM request of this document, for active-mode replacement. */
  pendingIdentityRequest: PendingIdentityRequest | null;
  /** Set when this top-level document is shown in a FedCM popup. */
  readonly popup: PopupWindow | undefined;
  /** A subresource fetch made by this document (CORS, cookies and Set-Login as for its scripts). */
  fetch(url: string | URL, init?: DocumentFetchInit): Promise<DocumentResponse>;
}
