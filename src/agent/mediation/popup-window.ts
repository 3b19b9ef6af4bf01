// The IdP's own windows as the algorithms see them: the login page (FedCM §3.7 "show an IDP
// login dialog"), the continuation page (`continue_on`, FedCM §3.5) and the error details page.
// Like Chromium's IdentityRequestDialogController::ShowModalDialog, opening one is the dialog
// controller's business; the window that holds the documents is the agent's (window/popup.ts).

/** Why the popup was opened. */
export type PopupPurpose = 'login' | 'continuation' | 'details';

/** How a popup ended, as the waiting FedCM request sees it. */
export type PopupResult =
  /** The user closed the window. */
  | { kind: 'closed-by-user' }
  /** The page called IdentityProvider.close(). */
  | { kind: 'identity-provider-close' }
  /** The continuation page called IdentityProvider.resolve(token, {accountId}). */
  | { kind: 'resolved'; token: unknown; accountId?: string }
  /** Login popups: the IdP's login status became logged-in (Chromium watches for this too). */
  | { kind: 'logged-in' };

/** A popup window: what a FedCM request waits on, and what the IdP's pages in it can end. */
export interface PopupWindow {
  readonly purpose: PopupPurpose;
  /** Settles when the popup ends. */
  readonly result: Promise<PopupResult>;
  /** The URL of the document the popup shows now. */
  readonly url: URL;
  /** The origin of the document the popup shows now ("null" when opaque). */
  readonly origin: string;
  readonly closed: boolean;
  /** The user closes the window. */
  close(): void;
  /** Ends the popup with `result` (first call wins) and closes its document. */
  end(result: PopupResult): void;
}
