// The messages of the one binding between the pages of a browser context and the agent: what a
// page sends (a call of a credential API, an abort, a click on the drawn dialog) and what Node
// answers. Both sides are typed from here; the page script is compiled from TypeScript too, so
// its messages are checked against the same types. Values inside are wire values (wire.ts).

import type { DialogButton } from '../../agent/index.js';
import type { Wire } from './wire.js';

/** The page-visible entry points that reach the agent, by interface and member. */
export type ApiName =
  | 'credentials.get'
  | 'credentials.create'
  | 'credentials.store'
  | 'credentials.preventSilentAccess'
  | 'IdentityCredential.disconnect'
  | 'IdentityProvider.close'
  | 'IdentityProvider.resolve'
  | 'IdentityProvider.getUserInfo'
  | 'login.setStatus'
  | 'Credential.isConditionalMediationAvailable'
  | 'PublicKeyCredential.isConditionalMediationAvailable'
  | 'PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable'
  | 'PublicKeyCredential.getClientCapabilities';

/** Who sends: one document of one frame (a fresh id per document, made by the init script). */
interface FromDocument {
  /** The document's id: a new one means the frame navigated to a new document. */
  doc: string;
  /** The document's URL (`location.href`). */
  url: string;
  /** `window.name` of the top-level window: how a FedCM popup is recognised before Playwright reports it. */
  windowName: string;
}

/** A call of a credential API. `signal` is present when the page passed an AbortSignal. */
export interface CallMessage extends FromDocument {
  op: 'call';
  id: number;
  api: ApiName;
  args: Wire[];
  /** `navigator.userActivation.isActive` when the page called (HTML §6.4.3). */
  active: boolean;
  signal?: { aborted: boolean };
}

/** The page's AbortSignal of call `id` fired. */
export interface AbortMessage extends FromDocument {
  op: 'abort';
  id: number;
}

/** A trusted click on the dialog drawn in this page. */
export interface DialogMessage extends FromDocument {
  op: 'dialog';
  dialogId: string;
  command:
    | { action: 'selectAccount'; index: number }
    | { action: 'cancel'; triggerCooldown: boolean }
    | { action: 'clickButton'; button: DialogButton };
}

export type PageMessage = CallMessage | AbortMessage | DialogMessage;

/** The answer to a message: a value, an error of the agent, or "your signal aborted it". */
export type Reply = { ok: true; value: Wire } | { ok: false; error: Wire } | { ok: false; aborted: true };

/** The page-visible credential interfaces whose objects cross the binding. */
export type CredentialInterface = 'IdentityCredential' | 'PasswordCredential' | 'FederatedCredential' | 'OTPCredential' | 'PublicKeyCredential';

/**
 * A credential on the wire: its interface, the agent's handle for it (absent for one the page
 * constructed), and its attributes.
 */
export interface CredentialTag {
  $fedkit: 'credential';
  interface: CredentialInterface;
  handle: string | null;
  data: { [key: string]: Wire };
}

/** An error on the wire: enough to build the same error in the other realm. */
export interface ErrorTag {
  $fedkit: 'error';
  kind: 'DOMException' | 'IdentityCredentialError' | 'TypeError' | 'RangeError' | 'SyntaxError' | 'Error';
  name: string;
  message: string;
  /** IdentityCredentialError only. */
  error?: string;
  url?: string;
}
