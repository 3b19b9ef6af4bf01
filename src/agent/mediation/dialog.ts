// The dialogs the agent shows during a FedCM request, typed after the DevTools `FedCm` domain
// (pdl/domains/FedCm.pdl) and the WebDriver FedCM commands (FedCM §"User Agent Automation"),
// so that automation sees exactly the shapes Chromium reports.

/** FedCm.LoginState: whether the account has been used with this RP before. */
export type LoginState = 'SignIn' | 'SignUp';

/**
 * FedCm.DialogType. `Error` is Chromium's (WPT uses it); the spec lists the first three. The last
 * three are fedkit's, for the other credential types (Chromium shows these as password-manager
 * bubbles and the WebOTP prompt, which WebDriver does not reach): the credential chooser of
 * Credential Management §5.3, the "save password?" prompt of [[Store]], and WebOTP's consent.
 */
export type DialogType = 'AccountChooser' | 'AutoReauthn' | 'ConfirmIdpLogin' | 'Error' | 'CredentialChooser' | 'SaveCredential' | 'OtpConsent';

/**
 * FedCm.DialogButton, plus fedkit's buttons for its own dialogs: `SaveCredentialConfirm` ("Save" /
 * "Update") and `OtpConsentAllow` ("Allow"). Refusing is `cancelDialog()` in both.
 */
export type DialogButton = 'ConfirmIdpLoginContinue' | 'ErrorGotIt' | 'ErrorMoreDetails' | 'SaveCredentialConfirm' | 'OtpConsentAllow';

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

/** The IdP's brand icon a FedCM dialog shows (fedkit's; DevTools' FedCm.dialogShown has none). */
export interface DialogBrandIcon {
  idpConfigUrl: string;
  /** The icon chosen from the config's `branding.icons` and fetched. */
  url: string;
}

/** What the FedCM dialogs share: the brand icons fetched for them (absent when none was). */
interface FedCmDialogBase extends DialogBase {
  brandIcons?: DialogBrandIcon[];
}

/** The account chooser: one or more accounts from one or more IdPs. */
export interface AccountChooserDialog extends FedCmDialogBase {
  dialogType: 'AccountChooser';
  accounts: DialogAccount[];
  /** Whether "use another account" is offered (config `supports_use_other_account`, one IdP). */
  useOtherAccount: boolean;
}

/** The "Signing you in…" sheet shown while a returning user is signed in automatically. */
export interface AutoReauthnDialog extends FedCmDialogBase {
  dialogType: 'AutoReauthn';
  accounts: [DialogAccount];
}

/** The IdP says the user is logged in, but returned no usable account: offer its login page. */
export interface ConfirmIdpLoginDialog extends FedCmDialogBase {
  dialogType: 'ConfirmIdpLogin';
  accounts: [];
  idpConfigUrl: string;
  idpLoginUrl: string;
}

/**
 * The ID assertion endpoint returned an error; the user must see it before the page does.
 * `accounts` holds the account the user chose, as the chooser showed it (Chromium 156).
 */
export interface ErrorDialog extends FedCmDialogBase {
  dialogType: 'Error';
  accounts: DialogAccount[];
  /** The IdentityCredentialError's `error` ("" when none). */
  error: string;
  /** The error page the "More details" button opens ("" when none). */
  url: string;
}

/**
 * One credential as the chooser and the save prompt show it (CM §5.3: name, icon, and for a
 * federated credential its provider). Never the password.
 */
export type CredentialChooserEntry =
  | { type: 'password'; id: string; name: string; iconURL: string }
  | { type: 'federated'; id: string; name: string; iconURL: string; provider: string; protocol: string | null };

/**
 * Credential Management §5.3 "ask the user to choose": the origin's stored credentials. Selecting
 * one (`selectAccount(i)`) gives it to the page, `cancelDialog()` gives null. Selecting with
 * `{ staySignedIn: true }` is the chooser's "stay signed in" checkbox (CM §5.2): the origin may then
 * get a single credential without this dialog.
 */
export interface CredentialChooserDialog extends DialogBase {
  dialogType: 'CredentialChooser';
  /** Always empty: the entries are in `credentials`. Kept so every dialog has `accounts`. */
  accounts: [];
  /** CM §5.3: the chooser MUST show the requesting origin. */
  origin: string;
  credentials: CredentialChooserEntry[];
}

/**
 * [[Store]] asks "if the user grants permission to store credentials" (CM §3.3.3, CM §4.1.3): "Save
 * password?" (`action: 'save'`) or "Update password?" (`'update'`). `SaveCredentialConfirm` or
 * `selectAccount(0)` grants; `cancelDialog()` refuses (store() still resolves: pages cannot tell).
 */
export interface SaveCredentialDialog extends DialogBase {
  dialogType: 'SaveCredential';
  accounts: [];
  origin: string;
  action: 'save' | 'update';
  credential: CredentialChooserEntry;
}

/**
 * WebOTP: an SMS for this document arrived; share its code? `OtpConsentAllow` or
 * `selectAccount(0)` gives the code to the page; `cancelDialog()` rejects get() with AbortError.
 */
export interface OtpConsentDialog extends DialogBase {
  dialogType: 'OtpConsent';
  accounts: [];
  /** The origin of the document that asked. */
  origin: string;
  /** The one-time code, as the prompt shows it to the user. */
  code: string;
}

export type Dialog = AccountChooserDialog | AutoReauthnDialog | ConfirmIdpLoginDialog | ErrorDialog | CredentialChooserDialog | SaveCredentialDialog | OtpConsentDialog;

/** What the user (or automation) did with a dialog. */
export type DialogAction =
  /** `staySignedIn` is the credential chooser's "stay signed in" checkbox; ignored elsewhere. */
  | { action: 'selectAccount'; accountIndex: number; staySignedIn?: boolean }
  /** Closing the dialog. `triggerCooldown` models the close button (Chromium's embargo path). */
  | { action: 'cancel'; triggerCooldown?: boolean }
  | { action: 'clickButton'; button: DialogButton }
  /** Used by AutoReauthn: the sheet finishes on its own. */
  | { action: 'proceed' };

/** Omit over each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a request passes to show a dialog: the dialog without its id (the controller numbers them). */
export type DialogInit = DistributiveOmit<Dialog, 'dialogId'>;

/** The events of the dialog controller (DevTools FedCm.dialogShown / dialogClosed). */
export interface DialogEventMap {
  /** FedCm.dialogShown. */
  dialogShown: [dialog: Dialog];
  /** FedCm.dialogClosed. */
  dialogClosed: [event: { dialogId: string }];
}
