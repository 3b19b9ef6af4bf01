// The dialogs the agent shows during a FedCM request, typed after the DevTools `FedCm` domain
// (pdl/domains/FedCm.pdl) and the WebDriver FedCM commands (FedCM §"User Agent Automation"),
// so that automation sees exactly the shapes Chromium reports.

/** FedCm.LoginState: whether the account has been used with this RP before. */
export type LoginState = 'SignIn' | 'SignUp';

/** FedCm.DialogType. `Error` is Chromium's (WPT uses it); the spec lists the first three. */
export type DialogType = 'AccountChooser' | 'AutoReauthn' | 'ConfirmIdpLogin' | 'Error';

/** FedCm.DialogButton. */
export type DialogButton = 'ConfirmIdpLoginContinue' | 'ErrorGotIt' | 'ErrorMoreDetails';

/** FedCm.AccountUrlType. */
export type AccountUrlType = 'TermsOfService' | 'PrivacyPolicy';

/**
 * FedCm.Account. Missing values are "" as in Chromium; `email`/`name` are the display
 * identifier and name (a username-only account shows name "jdoe", email "").
 * termsOfServiceUrl / privacyPolicyUrl appear only for SignUp accounts.
 */
export interface DialogAccount {
  accountId: string;
  email: string;
  name: string;
  givenName: string;
  pictureUrl: string;
  idpConfigUrl: string;
  idpLoginUrl: string;
  loginState: LoginState;
  termsOfServiceUrl?: string;
  privacyPolicyUrl?: string;
}

interface DialogBase {
  /** Global incrementing id, "0", "1", … as Chromium assigns them. */
  dialogId: string;
  title: string;
  subtitle?: string;
}

/** The account chooser: one or more accounts from one or more IdPs. */
export interface AccountChooserDialog extends DialogBase {
  dialogType: 'AccountChooser';
  accounts: DialogAccount[];
  /** Whether "use another account" is offered (config `supports_use_other_account`, one IdP). */
  useOtherAccount: boolean;
}

/** The "Signing you in…" sheet shown while a returning user is signed in automatically. */
export interface AutoReauthnDialog extends DialogBase {
  dialogType: 'AutoReauthn';
  accounts: [DialogAccount];
}

/** The IdP says the user is logged in, but returned no usable account: offer its login page. */
export interface ConfirmIdpLoginDialog extends DialogBase {
  dialogType: 'ConfirmIdpLogin';
  accounts: [];
  idpConfigUrl: string;
  idpLoginUrl: string;
}

/** The ID assertion endpoint returned an error; the user must see it before the page does. */
export interface ErrorDialog extends DialogBase {
  dialogType: 'Error';
  accounts: [];
  /** The IdentityCredentialError's `error` ("" when none). */
  error: string;
  /** The error page the "More details" button opens ("" when none). */
  url: string;
}

export type Dialog = AccountChooserDialog | AutoReauthnDialog | ConfirmIdpLoginDialog | ErrorDialog;

/** What the user (or automation) did with a dialog. */
export type DialogAction =
  | { action: 'selectAccount'; accountIndex: number }
  /** Closing the dialog. `triggerCooldown` models the close button (Chromium's embargo path). */
  | { action: 'cancel'; triggerCooldown?: boolean }
  | { action: 'clickButton'; button: DialogButton }
  /** Used by AutoReauthn: the sheet finishes on its own. */
  | { action: 'proceed' };
