// A dialog as text: the Menu the terminal offers for each dialog type (FedCM's account chooser,
// its login and error dialogs, the credential chooser and prompts), and the lines a log shows
// for it.

import type { Dialog, DialogAccount, DialogAction } from '../../agent/index.js';
import type { Menu, MenuItem } from './chooser.js';
import type { Style } from './style.js';

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** One account as the chooser lists it: name, email, returning or new, the IdP when several. */
export function accountLine(account: DialogAccount, style: Style, showIdp = false): string {
  const name = account.name || account.email || account.accountId;
  const email = account.email && account.email !== name ? `  ${style.dim(account.email)}` : '';
  const state = account.loginState === 'SignIn' ? style.green('returning') : style.yellow('new account');
  const idp = showIdp ? style.dim(` · ${hostOf(account.idpConfigUrl)}`) : '';
  return `${name}${email}  ${state}${idp}`;
}

/** The disclosure links a SignUp account carries (FedCM: the RP's terms and privacy policy). */
export function disclosureLine(account: DialogAccount, style: Style): string | undefined {
  if (account.loginState !== 'SignUp') return undefined;
  const links: string[] = [];
  if (account.termsOfServiceUrl) links.push(`Terms of service: ${account.termsOfServiceUrl}`);
  if (account.privacyPolicyUrl) links.push(`Privacy policy: ${account.privacyPolicyUrl}`);
  return links.length > 0 ? style.dim(links.join(' · ')) : undefined;
}

/** The type of a dialog, also for dialog types this CLI does not know yet. */
export const typeOf = (dialog: Dialog): string => (dialog as { dialogType: string }).dialogType;

export function menuFor(dialog: Dialog, style: Style): Menu | undefined {
  const header = [style.bold(dialog.title), ...(dialog.subtitle ? [style.dim(dialog.subtitle)] : [])];
  const cancel: DialogAction = { action: 'cancel' };
  switch (dialog.dialogType) {
    case 'AccountChooser': {
      const idps = new Set(dialog.accounts.map((a) => a.idpConfigUrl));
      const items: MenuItem[] = dialog.accounts.map((a, i) => {
        const disclosure = disclosureLine(a, style);
        return {
          lines: [accountLine(a, style, idps.size > 1), ...(disclosure ? [disclosure] : [])],
          action: { action: 'selectAccount', accountIndex: i },
          summary: `${a.name || a.email || a.accountId}${a.email ? ` <${a.email}>` : ''} (${a.accountId}, ${a.loginState === 'SignIn' ? 'returning' : 'new account'})`,
        };
      });
      if (dialog.useOtherAccount) {
        items.push({ lines: ['Use another account'], action: { action: 'clickButton', button: 'ConfirmIdpLoginContinue' }, summary: 'use another account' });
      }
      // Esc is "not now", not the close button: no cooldown is triggered (a developer retries).
      return { header, items, cancel };
    }
    case 'ConfirmIdpLogin':
      return {
        header: [...header, style.dim(`Sign in at ${hostOf(dialog.idpLoginUrl)} to continue: ${dialog.idpLoginUrl}`)],
        items: [
          { lines: ['Continue'], action: { action: 'clickButton', button: 'ConfirmIdpLoginContinue' }, summary: 'continue to the identity provider' },
          { lines: ['Cancel'], action: cancel, summary: 'cancel' },
        ],
        cancel,
      };
    case 'Error':
      return {
        header: [...header, ...(dialog.error ? [style.red(`error: ${dialog.error}`)] : []), ...(dialog.url ? [style.dim(dialog.url)] : [])],
        items: [
          { lines: ['Got it'], action: { action: 'clickButton', button: 'ErrorGotIt' }, summary: 'got it' },
          ...(dialog.url ? [{ lines: ['More details'], action: { action: 'clickButton', button: 'ErrorMoreDetails' } as DialogAction, summary: 'more details' }] : []),
        ],
        cancel,
      };
    case 'CredentialChooser':
      return {
        header: [...header, style.dim(dialog.origin)],
        items: dialog.credentials.map((c, i) => ({
          lines: [`${c.name || c.id}${c.name ? `  ${style.dim(c.id)}` : ''}  ${c.type === 'password' ? style.dim('password') : style.dim(`via ${hostOf(c.provider)}`)}`],
          action: { action: 'selectAccount', accountIndex: i },
          summary: `${c.type} credential ${c.id}`,
        })),
        cancel,
      };
    case 'SaveCredential':
      return {
        header: [...header, style.dim(`${dialog.credential.id} for ${dialog.origin}`)],
        items: [
          { lines: [dialog.action === 'update' ? 'Update' : 'Save'], action: { action: 'clickButton', button: 'SaveCredentialConfirm' }, summary: dialog.action === 'update' ? 'update' : 'save' },
          { lines: ['Not now'], action: cancel, summary: 'not now' },
        ],
        cancel,
      };
    case 'OtpConsent':
      return {
        header: [...header, `Code ${style.bold(dialog.code)} for ${dialog.origin}`],
        items: [
          { lines: ['Allow'], action: { action: 'clickButton', button: 'OtpConsentAllow' }, summary: 'allow' },
          { lines: ['Deny'], action: cancel, summary: 'deny' },
        ],
        cancel,
      };
    case 'AutoReauthn':
      return undefined;
    default:
      return undefined;
  }
}

/** A dialog as lines for a log: title, then what it offers (accounts, buttons). */
export function describeDialog(dialog: Dialog, style: Style): string[] {
  if (dialog.dialogType === 'AutoReauthn') {
    const a = dialog.accounts[0];
    return [`${style.bold(dialog.title)}`, `Signing you in…${a ? ` as ${a.name || a.email}${a.email ? ` <${a.email}>` : ''}` : ''}`];
  }
  const menu = menuFor(dialog, style);
  if (!menu) return [`A ${typeOf(dialog)} dialog: ${dialog.title}`];
  const numbered = dialog.dialogType === 'AccountChooser' || dialog.dialogType === 'CredentialChooser';
  return [
    ...menu.header,
    ...menu.items.flatMap((item, i) => [`${numbered && item.action.action === 'selectAccount' ? `[${i}] ` : '• '}${item.lines[0] ?? ''}`, ...item.lines.slice(1).map((l) => `    ${l}`)]),
  ];
}
