// How a FedCM request fails: one typed failure carrying its diagnostic and how the page sees it.

import type { DiagnosticInit } from '../base/diagnostics.js';
import type { IdentityCredentialErrorInit } from './identity-credential.js';

/**
 * FedCM §[[DiscoverFromExternalSource]] distinguishes failures that reject at once from those
 * that wait a random delay first (so a page cannot tell "no accounts" from "user dismissed").
 * `page` is what the page sees: NetworkError unless the failure is one of the few a page may
 * distinguish (Chromium mappers.cc: too many requests → NotAllowedError, canceled → AbortError),
 * or an ID assertion error, which becomes an IdentityCredentialError.
 */
export type PageOutcome =
  /** `message` replaces "Error retrieving a token." where Chromium says more (a CSP refusal). */
  | { kind: 'NetworkError'; message?: string }
  | { kind: 'NotAllowedError' }
  | { kind: 'AbortError' }
  | { kind: 'IdentityCredentialError'; init: IdentityCredentialErrorInit };

export class FedCmFailure extends Error {
  override readonly name = 'FedCmFailure';
  readonly diagnostic: DiagnosticInit;
  /** Whether the rejection waits the random delay (FedCM: failure without the "immediate" flag). */
  readonly delayed: boolean;
  readonly page: PageOutcome;

  constructor(diagnostic: DiagnosticInit, options: { delayed?: boolean; page?: PageOutcome } = {}) {
    super(`${diagnostic.reason}: ${diagnostic.message}`);
    this.diagnostic = diagnostic;
    this.delayed = options.delayed ?? false;
    this.page = options.page ?? { kind: 'NetworkError' };
  }
}
