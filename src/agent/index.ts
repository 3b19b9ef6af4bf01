// fedkit/agent: a headless user agent for the Credential Management API and FedCM.

export { Agent, createAgent, type AgentEventMap, type AgentOptions } from './agent.js';
export type { HttpOrigin, InProcessConnectionInfo, InProcessHandler, InProcessHandlers } from './net/in-process.js';
export { ManualClock, systemClock, type Clock, type Random } from './base/clock.js';
export { Credential } from './credentials/contract/credential.js';
export { CredentialsContainer } from './credentials/container.js';
export type { CredentialMediationRequirement } from './credentials/contract/credential-type.js';
export type { CredentialCreationOptions, CredentialRequestOptions } from './credentials/options.js';
export type {
  IdentityCredentialRequestOptions,
  IdentityCredentialRequestOptionsContext,
  IdentityCredentialRequestOptionsMode,
  IdentityProviderRequestOptions,
} from './fedcm/types.js';
export { PasswordCredential, type PasswordCredentialData } from './credentials/password.js';
export { FederatedCredential, type FederatedCredentialInit, type FederatedCredentialRequestOptions } from './credentials/federated.js';
export type { FederatedCredentialConstructor, PasswordCredentialConstructor } from './credentials/interface-objects.js';
export type { CredentialContext, CredentialType } from './credentials/contract/credential-type.js';
export { OTPCredential, type OTPCredentialRequestOptions } from './otp/otp-credential.js';
export { parseOriginBoundOneTimeCode, type OriginBoundOneTimeCode } from './otp/message.js';
export { SmsInbox, type SmsListenHost, type SmsListenOptions, type SmsOptions, type SmsRequest, type SmsSource } from './sms/sms-inbox.js';
export {
  consoleMessage,
  formatDiagnostic,
  type DevToolsIssueReason,
  type Diagnostic,
  type DiagnosticInit,
  type DiagnosticReason,
  type Endpoint,
  type IssueReason,
  type UserInfoIssueReason,
} from './base/diagnostics.js';
export type { FetchRecord } from './base/events.js';
export { IdentityCredential, IdentityCredentialError, type IdentityCredentialErrorInit } from './fedcm/identity-credential.js';
export { NavigatorLogin } from './login-status/navigator-login.js';
export { parseSetLogin } from './login-status/login-status.js';
export { Automation } from './mediation/automation.js';
export type {
  AccountChooserDialog,
  AutoReauthnDialog,
  ConfirmIdpLoginDialog,
  CredentialChooserDialog,
  CredentialChooserEntry,
  Dialog,
  DialogAccount,
  DialogAction,
  DialogButton,
  DialogType,
  ErrorDialog,
  LoginState,
  OtpConsentDialog,
  SaveCredentialDialog,
} from './mediation/dialog.js';
export { AutomationError } from './mediation/automation-error.js';
export { autoSelect, type Mediator } from './mediation/mediator.js';
export type { DocumentResponse } from './document/document.js';
// The document's policies as the agent reads them, for tools that check a page without calling
// get() (fedkit doctor --rp): CSP3 connect-src for a URL, and an iframe's `allow` attribute.
export { connectSrcViolation, type CspViolation } from './document/csp.js';
export { parseAllowAttribute } from './document/permissions-policy.js';
export { DOCUMENT_ACCEPT, Frame, type FrameOptions, type Navigator } from './window/frame.js';
export { exposeToWindow, type ExposeOptions } from './window/expose.js';
export { jsdomPopups, type JsdomPopupsOptions } from './window/jsdom-popups.js';
export { runScripts, type ConsoleLevel, type CredentialRequestEvent, type DOMWindow, type NavigationEvent, type PageScripts, type RunScriptsOptions } from './window/scripting/run-scripts.js';
export type { PopupPurpose, PopupResult } from './mediation/popup-window.js';
export { Popup, programmablePopups, type PopupHost } from './window/popup.js';
export { IdentityProvider, type IdentityResolveOptions } from './fedcm/identity-provider.js';
export type { IdentityUserInfo } from './fedcm/user-info.js';
// Checking an IdP step by step (agent.probe(rpUrl); fedkit doctor).
export type { IdpProbe, ProbeStep } from './fedcm/probe.js';
export type { AccountFilter } from './fedcm/accounts.js';
export type { AssertionRequest, AssertionResult } from './fedcm/assertion.js';
export type { BrandIcon, Branding, ClientMetadata, IdentityProviderAccount, IdpConfig, Picture, WellKnown } from './fedcm/types.js';
export type { IdentityCredentialDisconnectOptions } from './fedcm/disconnect.js';
export {
  MemoryProfile,
  type Connection,
  type DismissEmbargo,
  type LoginStatus,
  type Profile,
  type StoredCredential,
  type StoredCredentialKey,
} from './profile/profile.js';
export { ProfileError, type ProfileProblem } from './profile/sqlite-file.js';
export { PROFILE_SCHEMA_VERSION } from './profile/sqlite-migrations.js';
export { SqliteProfile, type SqliteProfileOptions } from './profile/sqlite-profile.js';
export { SqliteWebAuthnStore } from './profile/sqlite-webauthn-store.js';
// WebAuthn (docs/webauthn.md): `agent.webauthn`, the page-visible interfaces, the automation
// commands and the store interface. The lower-level pieces (CBOR, COSE, the client algorithms)
// stay in src/agent/webauthn/index.ts. The store's record is exported as WebAuthnStoredCredential,
// since StoredCredential is the Credential Management store's.
export {
  AuthenticatorAssertionResponse,
  AuthenticatorAttestationResponse,
  AuthenticatorResponse,
  PublicKeyCredential,
  type AuthenticationExtensionsClientOutputs,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialClientCapabilities,
  type PublicKeyCredentialJSON,
  type RegistrationResponseJSON,
} from './webauthn/credential.js';
export type {
  AuthenticationExtensionsClientInputs,
  PublicKeyCredentialCreationOptionsInit,
  PublicKeyCredentialDescriptorInit,
  PublicKeyCredentialRequestOptionsInit,
} from './webauthn/options.js';
export {
  PLATFORM_AUTHENTICATOR_ID,
  WebAuthn,
  type ConditionalUi,
  type CredentialChooser,
  type PublicKeyCredentialCall,
  type WebAuthnOptions,
} from './webauthn/webauthn.js';
export type { ConditionalRequestInfo, CredentialChoiceRequest } from './webauthn/client-context.js';
export { DEFAULT_AAGUID, type CredentialSummary, type UserPresencePolicy, type UserPresenceRequest } from './webauthn/authenticator.js';
export {
  WebAuthnAutomation,
  WebAuthnAutomationError,
  type AuthenticatorConfiguration,
  type ConditionalRequest,
  type CredentialParameters,
} from './webauthn/automation.js';
export {
  MemoryWebAuthnStore,
  type AuthenticatorTransport,
  type StoredAuthenticator,
  type StoredCredential as WebAuthnStoredCredential,
  type WebAuthnStore,
} from './profile/webauthn-store.js';
