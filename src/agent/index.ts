// fedkit/agent: a headless user agent for the Credential Management API and FedCM.

export { Agent, createAgent, type AgentOptions } from './agent.js';
export { ManualClock, systemClock, type Clock, type Random } from './clock.js';
export { Credential } from './credentials/credential.js';
export { CredentialsContainer } from './credentials/container.js';
export type {
  CredentialCreationOptions,
  CredentialMediationRequirement,
  CredentialRequestOptions,
  FederatedCredentialRequestOptions,
  IdentityCredentialRequestOptions,
  IdentityProviderRequestOptions,
  OTPCredentialRequestOptions,
} from './credentials/options.js';
export { PasswordCredential, type PasswordCredentialData } from './credentials/password.js';
export { FederatedCredential, type FederatedCredentialInit } from './credentials/federated.js';
export type { FederatedCredentialConstructor, PasswordCredentialConstructor } from './credentials/interfaces.js';
export type { CredentialContext, CredentialType } from './credentials/registry.js';
export { OTPCredential } from './otp/otp-credential.js';
export { parseOriginBoundOneTimeCode, type OriginBoundOneTimeCode } from './otp/message.js';
export { SmsInbox, type SmsListenHost, type SmsListenOptions, type SmsOptions, type SmsRequest, type SmsSource } from './otp/sms.js';
export { consoleMessage, formatDiagnostic, type Diagnostic, type DiagnosticReason, type Endpoint, type IssueReason } from './diagnostics.js';
export type { AgentEventMap } from './events.js';
export type { FetchRecord } from './fedcm/context.js';
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
export { AutomationError, autoSelect, type Mediator } from './mediation/mediator.js';
export { Frame, type FrameOptions, type Navigator, type DocumentResponse } from './page/frame.js';
export { jsdomPopups, type JsdomPopupsOptions } from './popups/jsdom-host.js';
export { runScripts, type ConsoleLevel, type CredentialRequestEvent, type DOMWindow, type NavigationEvent, type PageScripts, type RunScriptsOptions } from './window/scripting/run-scripts.js';
export { Popup, programmablePopups, type PopupHost, type PopupPurpose, type PopupResult } from './popups/popup.js';
export { IdentityProvider, type IdentityResolveOptions } from './fedcm/identity-provider.js';
export type { IdentityUserInfo } from './fedcm/user-info.js';
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
export {
  PROFILE_SCHEMA_VERSION,
  ProfileError,
  SqliteProfile,
  SqliteWebAuthnStore,
  type ProfileProblem,
  type SqliteProfileOptions,
} from './profile/sqlite.js';
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
  type ConditionalRequest,
  type ConditionalUi,
  type CredentialChooser,
  type PublicKeyCredentialCall,
  type WebAuthnOptions,
} from './webauthn/webauthn.js';
export type { ConditionalRequestInfo, CredentialChoiceRequest } from './webauthn/client.js';
export { DEFAULT_AAGUID, type CredentialSummary, type UserPresencePolicy, type UserPresenceRequest } from './webauthn/authenticator.js';
export { WebAuthnAutomation, WebAuthnAutomationError, type AuthenticatorConfiguration, type CredentialParameters } from './webauthn/automation.js';
export {
  MemoryWebAuthnStore,
  type AuthenticatorTransport,
  type StoredAuthenticator,
  type StoredCredential as WebAuthnStoredCredential,
  type WebAuthnStore,
} from './profile/webauthn-store.js';
