// How the WebAuthn client fails: the DOMExceptions a page sees, worded as Blink words them
// (AuthenticatorStatusToDOMException, authentication_credentials_container.cc), the diagnostic
// fedkit reports next to each one (saying what happened and what to change), and the mapping of
// an authenticator's error status to the page's error.

import type { DiagnosticInit, DiagnosticReason } from '../base/diagnostics.js';
import { AuthenticatorError, type Authenticator } from './authenticator.js';
import type { WebAuthnContext } from './client-context.js';

// --- Errors (Blink's AuthenticatorStatusToDOMException wording) -------------------------------

const NOT_ALLOWED = 'The operation either timed out or was not allowed. See: https://www.w3.org/TR/webauthn-2/#sctn-privacy-considerations-client.';
export const notAllowed = (): DOMException => new DOMException(NOT_ALLOWED, 'NotAllowedError');
export const BAD_RP_ID = 'The relying party ID is not a registrable domain suffix of, nor equal to the current domain.';
export const INVALID_DOMAIN = 'This is an invalid domain.';
export const OPAQUE = "The current origin is an opaque origin and hence not allowed to access 'PublicKeyCredential' objects.";
export const INVALID_PROTOCOL = "Public-key credentials are only available to HTTPS origins with valid certificates, HTTP origins that fall under 'localhost', or pages served from an extension.";
const EXCLUDED = 'The user attempted to register an authenticator that contains one of the credentials already registered with the relying party.';
export const ALGORITHM_UNSUPPORTED = 'None of the algorithms specified in `pubKeyCredParams` are supported by this device.';
export const RESIDENT_UNSUPPORTED = "Resident credentials or empty 'allowCredentials' lists are not supported at this time.";
export const UV_UNSUPPORTED = 'The specified `userVerification` requirement cannot be fulfilled by this device unless the device is secured with a screen lock.';

/**
 * WebAuthn failures reported through the agent's diagnostics. DiagnosticReason has no WebAuthn
 * names yet, so each maps to the nearest existing reason; the message says what happened.
 */
type WebAuthnIssue = 'options' | 'rp-id' | 'origin' | 'activation' | 'no-credentials' | 'declined' | 'excluded' | 'timeout' | 'authenticator' | 'unsupported';
const ISSUE_REASON: Record<WebAuthnIssue, DiagnosticReason> = {
  options: 'InvalidRequest',
  'rp-id': 'InvalidRequest',
  origin: 'InvalidRequest',
  activation: 'MissingTransientUserActivation',
  'no-credentials': 'InvalidRequest',
  declined: 'Canceled',
  excluded: 'InvalidRequest',
  timeout: 'Canceled',
  authenticator: 'InvalidRequest',
  unsupported: 'InvalidRequest',
};

/** Reports a WebAuthn failure (or a wait) of the calling document through the agent's diagnostics. */
export function report(ctx: WebAuthnContext, issue: WebAuthnIssue, message: string, detail: string, level: DiagnosticInit['level'] = 'error'): void {
  ctx.core.report({ reason: ISSUE_REASON[issue], level, message: `WebAuthn: ${message}`, detail, url: ctx.frame.url.href });
}

/**
 * Maps an authenticator failure to what the page sees; rethrows aborts unchanged.
 * WebAuthn §5.1.3 step 22 and §5.1.4.1: an authenticator's error status, as Chromium ends the request on it.
 */
export function pageError(ctx: WebAuthnContext, signal: AbortSignal, error: unknown, authenticator: Authenticator): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof AuthenticatorError) {
    switch (error.code) {
      case 'InvalidStateError':
        report(ctx, 'excluded', 'an excluded credential is on the authenticator.', error.message);
        return new DOMException(EXCLUDED, 'InvalidStateError');
      case 'NotAllowedError':
        report(ctx, 'declined', 'the user declined or could not be verified.', `Authenticator ${authenticator.id}: ${error.message}`, 'warning');
        return notAllowed();
      case 'NotSupportedError':
        report(ctx, 'unsupported', 'the authenticator supports none of the requested algorithms.', `Authenticator ${authenticator.id}: ${error.message}`);
        return new DOMException(ALGORITHM_UNSUPPORTED, 'NotSupportedError');
      default:
        report(ctx, 'authenticator', 'the authenticator failed.', `Authenticator ${authenticator.id}: ${error.message}`);
        return notAllowed();
    }
  }
  if (error instanceof DOMException && error.name === 'NotAllowedError') return error;
  const why = error instanceof Error ? `${error.name}: ${error.message}` : 'a non-Error value was thrown';
  report(ctx, 'authenticator', 'the authenticator failed.', `Authenticator ${authenticator.id}: ${why}`);
  return notAllowed();
}
