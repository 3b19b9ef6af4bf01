// FedCM §2.2 "The IdentityCredential Interface" and §2.3 "The IdentityCredentialError Interface".

import { Credential, internalConstruct } from '../credentials/contract/credential.js';
import { domException, type DiagnosticInit } from '../base/diagnostics.js';

/**
 * FedCM §2.2: the credential a successful FedCM request resolves with. `id` is "" and `type`
 * is "identity" ([[type]]); `token` is any JSON value the IdP returned (flexible tokens).
 */
export class IdentityCredential extends Credential {
  readonly token: unknown;
  readonly isAutoSelected: boolean;
  /** The provider's configURL exactly as the page passed it. */
  readonly configURL: string;

  /** @internal */
  constructor(key: typeof internalConstruct, init: { token: unknown; isAutoSelected: boolean; configURL: string }) {
    super(key, '', 'identity');
    this.token = init.token;
    this.isAutoSelected = init.isAutoSelected;
    this.configURL = init.configURL;
  }
}

/** @internal */
export function createIdentityCredential(init: {
  token: unknown;
  isAutoSelected: boolean;
  configURL: string;
}): IdentityCredential {
  return new IdentityCredential(internalConstruct, init);
}

export interface IdentityCredentialErrorInit {
  error?: string;
  url?: string;
}

/**
 * FedCM §2.3: the IdP explained why it could not issue a token. A DOMException whose `name` is
 * "IdentityCredentialError" (WPT checks the name; the spec's creation steps put it in `message`,
 * Chromium uses "Error retrieving a token." as the message when the agent creates it).
 */
export class IdentityCredentialError extends DOMException {
  readonly error: string;
  readonly url: string;

  constructor(message = '', options: IdentityCredentialErrorInit = {}) {
    super(String(message), 'IdentityCredentialError');
    this.error = options.error === undefined ? '' : String(options.error);
    this.url = options.url === undefined ? '' : String(options.url);
  }
}

/** @internal The agent's own IdentityCredentialError, carrying the diagnostic as `cause`. */
export function identityCredentialError(init: IdentityCredentialErrorInit, diagnostic: DiagnosticInit): IdentityCredentialError {
  return domException(new IdentityCredentialError('Error retrieving a token.', init), diagnostic);
}
