// What `fedkit doctor` reports: findings, each with a stable id, a level, the endpoint it is
// about, what was seen and the fix in one sentence. Ids are Chromium's
// FederatedAuthRequestIssueReason names where Chrome reports the problem (so that what the doctor
// says matches DevTools' Issues panel), else fedkit's own; docs/doctor.md lists every id.

import type { DiagnosticReason } from '../agent/index.js';

/** `error`: Chrome will fail; `warning`: works today but fragile, deprecated or unsafe; `info`. */
export type FindingLevel = 'error' | 'warning' | 'info';

/** What a finding is about (the FedCM endpoints, named as Chromium's console names them). */
export type FindingTarget =
  | 'well-known file'
  | 'config file'
  | 'login page'
  | 'accounts endpoint'
  | 'account picture'
  | 'client metadata endpoint'
  | 'id assertion endpoint'
  | 'token'
  | 'disconnect endpoint'
  | 'cookies'
  | 'login status'
  | 'rp page';

/** The doctor's own finding ids (everything Chromium has no issue name for). */
export type DoctorCheck =
  // well-known and config
  | 'WellKnownNotChecked'
  | 'WellKnownRedirected'
  | 'WellKnownWithoutProviderUrls'
  | 'WellKnownWithoutDirectForm'
  | 'ConfigRedirected'
  | 'ConfigTooLarge'
  | 'ConfigRelativeUrls'
  | 'ConfigMissingDisconnectEndpoint'
  | 'ConfigMissingClientMetadataEndpoint'
  | 'BrandingIconTooSmall'
  | 'LoginPageUnreachable'
  // accounts
  | 'AccountsServedWithoutSession'
  | 'AccountsLoggedOutAnswer'
  | 'AccountPictureNotImage'
  | 'AccountPictureTooLarge'
  | 'AccountPictureRelative'
  | 'AccountWithoutApprovedClients'
  | 'AccountApprovedClientsExcludesClient'
  // login status and cookies
  | 'SetLoginMissingOnLogin'
  | 'SetLoginMissingOnLogout'
  // client metadata
  | 'ClientMetadataLinkInvalid'
  // assertion and token
  | 'CorsWildcardOrigin'
  | 'CorsMissingCredentials'
  | 'AssertionWithoutCacheControl'
  | 'TokenNotJwt'
  | 'TokenAlgorithmWeak'
  | 'TokenIssuerMismatch'
  | 'TokenAudienceMismatch'
  | 'TokenNonceMismatch'
  | 'TokenExpired'
  | 'TokenLifetimeLong'
  | 'TokenIssuedInFuture'
  | 'TokenSignatureInvalid'
  | 'TokenKeysUnavailable'
  // the IdP's own protections
  | 'AssertionAcceptsWithoutWebIdentity'
  | 'AssertionAcceptsUnregisteredOrigin'
  | 'AssertionAcceptsReplayedNonce'
  | 'DisconnectWithoutCors'
  // the RP page (`fedkit doctor --rp`)
  | 'RpPageUnreachable'
  | 'RpNotSecureContext'
  | 'RpCspBlocksConfig'
  | 'RpIframeWithoutAllow'
  | 'RpNoFedCmCall'
  | 'RpScriptError'
  // what was not checked
  | 'ProbeSkipped';

export type FindingId = DiagnosticReason | DoctorCheck;

export interface Finding {
  /** Stable: Chromium's issue reason name, or the doctor's own (docs/doctor.md). */
  id: FindingId;
  level: FindingLevel;
  /** The endpoint (or aspect) the finding is about. */
  target: FindingTarget;
  /** The URL concerned, when there is one. */
  url?: string;
  /** What the doctor saw. */
  seen: string;
  /** What to do about it, in one sentence. */
  fix: string;
}

/** One request the doctor made. */
export interface DoctorRequest {
  /** Which probe made it. */
  probe: string;
  method: string;
  url: string;
  status?: number;
  error?: string;
  durationMs: number;
  requestHeaders?: Record<string, string>;
}

/** Everything a doctor run found. */
export interface DoctorReport {
  /** No finding of level `error` (with `strict`: no `warning` either). */
  ok: boolean;
  configURL: string;
  findings: Finding[];
  requests: DoctorRequest[];
}
