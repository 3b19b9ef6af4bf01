// The FedCM data model: what a page asks for (FedCM §2.5 dictionaries), what the IdP serves once
// validated (config, accounts, client metadata), and the state of one request while it runs.
// Every step of fedcm/ reads and writes these; none of them imports another step for a type.

import type { LoginStatus } from '../profile/profile.js';
import type { FedCmFailure } from './failure.js';

// ---- What the page asks for (FedCM §2.5) ---------------------------------------------------

export type IdentityCredentialRequestOptionsContext = 'signin' | 'signup' | 'use' | 'continue';
export type IdentityCredentialRequestOptionsMode = 'active' | 'passive';

/** FedCM IdentityProviderRequestOptions (plus the deprecated `nonce` Chromium still forwards). */
export interface IdentityProviderRequestOptions {
  configURL: string;
  clientId: string;
  loginHint?: string;
  domainHint?: string;
  fields?: string[];
  params?: unknown;
  /** Removed from the spec; Chromium still sends it as a top-level POST field. */
  nonce?: string;
}

/** FedCM IdentityCredentialRequestOptions: the `identity` member of what a page passes to get(). */
export interface IdentityCredentialRequestOptions {
  providers: IdentityProviderRequestOptions[];
  /** Default "signin". */
  context?: IdentityCredentialRequestOptionsContext;
  /** Default "passive". */
  mode?: IdentityCredentialRequestOptionsMode;
}

/** IdentityCredentialRequestOptions after WebIDL conversion: the defaults filled in. */
export type IdentityRequestOptions = Required<IdentityCredentialRequestOptions>;

/** A provider after the page-facing checks: its parsed config URL and serialized params. */
export interface Provider {
  options: IdentityProviderRequestOptions;
  configURL: URL;
  idpOrigin: string;
  params?: string;
}

// ---- What the IdP serves (FedCM §3.2–§3.4) ---------------------------------------------------

/** FedCM IdentityProviderIcon. */
export interface BrandIcon {
  readonly url: string;
  readonly size: number;
}

/** FedCM IdentityProviderBranding (colors are kept as given; Chromium ignores `name`). */
export interface Branding {
  readonly backgroundColor?: string;
  readonly color?: string;
  readonly icons: readonly BrandIcon[];
  readonly name?: string;
}

/**
 * A config file that passed validation: every required endpoint resolved and same-origin.
 * Read-only: one parsed config serves every request that got the same file (config.ts).
 */
export interface IdpConfig {
  readonly configURL: URL;
  readonly accountsEndpoint: URL;
  readonly idAssertionEndpoint: URL;
  readonly loginUrl: URL;
  /** Same-origin is checked where it is used (Chromium skips client metadata if not). */
  readonly clientMetadataEndpoint?: URL;
  readonly disconnectEndpoint?: URL;
  readonly branding?: Branding;
  readonly supportsUseOtherAccount: boolean;
  readonly accountLabel?: string;
}

/** The two well-known shapes (FedCM IdentityProviderWellKnown). */
export interface WellKnown {
  url: URL;
  providerUrls?: URL[];
  accountsEndpoint?: URL;
  loginUrl?: URL;
}

/** FedCM IdentityProviderAccount, after validation. */
export interface IdentityProviderAccount {
  id: string;
  name?: string;
  email?: string;
  tel?: string;
  username?: string;
  given_name?: string;
  /** Absolute URL, or absent (Chromium does not resolve relative pictures: they are dropped). */
  picture?: string;
  approved_clients?: string[];
  login_hints?: string[];
  domain_hints?: string[];
  label_hints?: string[];
}

/** A fetched account picture, kept so the chooser can show it without fetching again. */
export interface Picture {
  contentType: string;
  bytes: Uint8Array;
}

/** FedCM IdentityProviderClientMetadata, as used by the dialog. */
export interface ClientMetadata {
  privacyPolicyUrl?: string;
  termsOfServiceUrl?: string;
  clientIsThirdPartyToTopFrameOrigin: boolean;
}

// ---- One request while it runs ----------------------------------------------------------------

/** Per-IdP state while the request runs. */
export interface IdpState {
  provider: Provider;
  loginStatus: LoginStatus | undefined;
  config?: IdpConfig;
  /** Accounts after hint filtering. */
  accounts: IdentityProviderAccount[];
  /** The pictures of the accounts above, by URL (fetched after the hint filters). */
  pictures: Map<string, Picture>;
  /** The config's brand icon the dialogs show, when it was fetched (passive mode). */
  brandIcon?: { url: string; image: Picture };
  clientMetadata: ClientMetadata | null;
  /** Logged in according to the login status, yet no usable account: offer the login page. */
  mismatch: boolean;
  /** Active mode with a logged-out IdP: the login page opens before the accounts are fetched. */
  needsLogin: boolean;
  failure?: FedCmFailure;
}

/** A request's account candidate: an account and the IdP it came from. */
export interface Candidate {
  state: IdpState;
  account: IdentityProviderAccount;
}
