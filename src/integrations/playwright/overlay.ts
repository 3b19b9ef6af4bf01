// The agent's dialog, drawn in the requesting page: an overlay in a closed shadow root, styled
// like a browser's account chooser (Chromium's FedCM bubble in passive mode, its modal dialog
// in active mode). The page's scripts cannot reach into it, and only trusted clicks (a real
// user, or Playwright's page.mouse / page.click at its coordinates) answer it; each click goes
// through the binding to the agent's automation commands.
//
// This function runs in the page: the init script embeds its source. It must be self-contained
// (no imports at run time, no names from this module). Styles go in a constructable stylesheet,
// which a page's Content-Security-Policy does not block as it blocks <style> elements. Account
// pictures are not fetched again (Chrome shows the ones it fetched for the accounts request):
// each account gets an initials avatar, coloured from its email.

import type { Dialog, DialogAccount } from '../../agent/index.js';
import type { DialogMessage } from './protocol.js';

/** What the page is asked to draw. */
export interface DrawnDialog {
  dialog: Dialog;
  /** `corner`: the passive-mode bubble at the top right; `center`: a modal dialog (active mode, and fedkit's own prompts). */
  placement: 'corner' | 'center';
}

/** The overlay of one top-level document. */
export interface Overlay {
  /** Draws `model`, replacing whatever dialog was drawn. */
  show(model: DrawnDialog): void;
  /** Removes the dialog `dialogId` if it is the one drawn. */
  hide(dialogId: string): void;
  /** Removes the overlay for good (uninstall). */
  remove(): void;
}

/** The user's answer, sent to the agent. */
export type OverlayAnswer = (dialogId: string, command: DialogMessage['command']) => void;

/** Builds the overlay of this document; `answer` receives each trusted click. */
export function createOverlay(answer: OverlayAnswer): Overlay {
  const CSS = `
:host { all: initial; }
.layer { position: fixed; inset: 0; z-index: 2147483647; pointer-events: none; font: 13px/1.45 system-ui, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f1f1f; }
.layer.center { display: flex; align-items: center; justify-content: center; background: rgba(32, 33, 36, .38); pointer-events: auto; }
.sheet { pointer-events: auto; box-sizing: border-box; width: 360px; max-height: calc(100vh - 16px); overflow: auto; background: #fff; border-radius: 12px; box-shadow: 0 1px 3px rgba(60,64,67,.3), 0 4px 8px 3px rgba(60,64,67,.15); }
.layer.corner .sheet { position: absolute; top: 8px; right: 8px; }
.layer.center .sheet { width: 420px; }
header { display: flex; align-items: flex-start; gap: 12px; padding: 16px 16px 8px; }
.idp { flex: none; width: 20px; height: 20px; border-radius: 4px; background: #e8f0fe; color: #1a73e8; font-weight: 700; font-size: 12px; display: flex; align-items: center; justify-content: center; }
.titles { flex: 1; min-width: 0; }
h2 { margin: 0; font-size: 15px; font-weight: 500; line-height: 20px; }
.subtitle { margin: 2px 0 0; color: #5f6368; }
.close { flex: none; width: 28px; height: 28px; margin: -4px -4px 0 0; border: 0; border-radius: 50%; background: transparent; color: #5f6368; font-size: 16px; cursor: pointer; }
.close:hover { background: #f1f3f4; }
ul { list-style: none; margin: 0; padding: 4px 0; }
.row { display: flex; align-items: center; gap: 12px; width: 100%; padding: 8px 16px; border: 0; background: transparent; text-align: left; font: inherit; color: inherit; cursor: pointer; }
.row:hover:not(:disabled) { background: #f1f3f4; }
.row:disabled { cursor: default; }
.avatar { flex: none; width: 36px; height: 36px; border-radius: 50%; color: #fff; font-weight: 600; font-size: 14px; display: flex; align-items: center; justify-content: center; }
.who { display: flex; flex-direction: column; min-width: 0; }
.name { font-weight: 500; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.email { color: #5f6368; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.body { margin: 0; padding: 4px 16px 8px; color: #444746; }
.code { font: 600 20px/1.4 ui-monospace, monospace; letter-spacing: .1em; }
.actions { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 8px; padding: 8px 16px 16px; }
.actions button { min-height: 32px; padding: 0 16px; border-radius: 16px; border: 1px solid #c4c7c5; background: #fff; color: #0b57d0; font: inherit; font-weight: 500; cursor: pointer; }
.actions button.primary { flex: 1 1 100%; border-color: #0b57d0; background: #0b57d0; color: #fff; }
.disclosure { margin: 0; padding: 0 16px 12px; color: #5f6368; font-size: 12px; }
.progress { height: 4px; margin: 4px 16px 16px; border-radius: 2px; background: linear-gradient(90deg, #0b57d0 40%, #d3e3fd 40%); }
button:disabled { opacity: .6; }
`;
  let host: HTMLElement | undefined;
  let root: ShadowRoot | undefined;
  let shownId: string | undefined;

  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] => {
    const node = document.createElement(tag);
    if (className !== undefined) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const ensureHost = (): ShadowRoot => {
    if (host !== undefined && root !== undefined && host.isConnected) return root;
    host = document.createElement('fedkit-dialog');
    root = host.attachShadow({ mode: 'closed' });
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(el('style', undefined, CSS));
    }
    (document.documentElement ?? document).appendChild(host);
    return root;
  };

  /** "Dee Demo" → "DD"; the email's first letter when there is no name. */
  const initials = (account: { name: string; email: string }): string => {
    const words = (account.name || account.email).split(/[\s@._-]+/).filter(Boolean);
    const letters = words.slice(0, account.name ? 2 : 1).map((w) => [...w][0]?.toUpperCase() ?? '');
    return letters.join('') || '?';
  };

  /** A stable colour per account (Chrome colours its letter avatars too). */
  const colour = (key: string): string => {
    let hash = 0;
    for (const ch of key) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
    return `hsl(${hash % 360}, 62%, 42%)`;
  };

  const site = (url: string): string => {
    try {
      return new URL(url).hostname;
    } catch {
      return '';
    }
  };

  const accountRow = (account: DialogAccount, onClick: (() => void) | undefined): HTMLButtonElement => {
    const row = el('button', 'row');
    row.type = 'button';
    const avatar = el('span', 'avatar', initials(account));
    avatar.style.background = colour(account.email || account.name);
    avatar.setAttribute('aria-hidden', 'true');
    const who = el('span', 'who');
    who.append(el('span', 'name', account.name || account.email));
    if (account.email && account.name) who.append(el('span', 'email', account.email));
    row.append(avatar, who);
    if (onClick) row.addEventListener('click', trusted(onClick));
    else row.disabled = true;
    return row;
  };

  /** Only a real click (or key press) answers: a page script's synthetic click does nothing. */
  const trusted = (action: () => void) => (event: Event) => {
    if (!event.isTrusted) return;
    event.preventDefault();
    for (const b of Array.from(root?.querySelectorAll('button') ?? [])) b.disabled = true;
    action();
  };

  const button = (label: string, action: () => void, primary = false): HTMLButtonElement => {
    const b = el('button', primary ? 'primary' : undefined, label);
    b.type = 'button';
    b.addEventListener('click', trusted(action));
    return b;
  };

  const render = (model: DrawnDialog): HTMLElement => {
    const d = model.dialog;
    const send = (command: DialogMessage['command']) => () => answer(d.dialogId, command);
    const layer = el('div', `layer ${model.placement}`);
    const sheet = el('div', 'sheet');
    sheet.setAttribute('role', 'dialog');
    sheet.setAttribute('aria-label', d.title);
    const header = el('header');
    const idpSite = d.accounts[0] ? site(d.accounts[0].idpConfigUrl) : d.dialogType === 'ConfirmIdpLogin' ? site(d.idpConfigUrl) : '';
    const icon = el('span', 'idp', (idpSite[0] ?? '•').toUpperCase());
    icon.setAttribute('aria-hidden', 'true');
    const titles = el('div', 'titles');
    titles.append(el('h2', undefined, d.title));
    if (d.subtitle) titles.append(el('p', 'subtitle', d.subtitle));
    header.append(icon, titles);
    if (d.dialogType !== 'AutoReauthn') {
      const close = button('✕', send({ action: 'cancel', triggerCooldown: true }));
      close.className = 'close';
      close.setAttribute('aria-label', 'Close');
      header.append(close);
    }
    sheet.append(header);
    const actions = el('div', 'actions');
    switch (d.dialogType) {
      case 'AccountChooser': {
        const list = el('ul');
        d.accounts.forEach((account, index) => {
          const li = el('li');
          li.append(accountRow(account, send({ action: 'selectAccount', index })));
          list.append(li);
        });
        sheet.append(list);
        const only = d.accounts.length === 1 ? d.accounts[0] : undefined;
        if (only) actions.append(button(`Continue as ${only.givenName || only.name || only.email}`, send({ action: 'selectAccount', index: 0 }), true));
        if (d.useOtherAccount) actions.append(button('Use other account', send({ action: 'clickButton', button: 'ConfirmIdpLoginContinue' })));
        sheet.append(actions);
        const signUp = d.accounts.find((a) => a.loginState === 'SignUp');
        if (signUp) {
          const links = [signUp.privacyPolicyUrl ? 'privacy policy' : '', signUp.termsOfServiceUrl ? 'terms of service' : ''].filter(Boolean).join(' and ');
          sheet.append(el('p', 'disclosure', `To continue, ${site(signUp.idpConfigUrl)} will share your name, email address and profile picture with this site.${links ? ` See this site's ${links}.` : ''}`));
        }
        break;
      }
      case 'AutoReauthn': {
        const list = el('ul');
        const li = el('li');
        if (d.accounts[0]) li.append(accountRow(d.accounts[0], undefined));
        list.append(li);
        const progress = el('div', 'progress');
        progress.setAttribute('role', 'progressbar');
        progress.setAttribute('aria-label', d.title);
        sheet.append(list, progress);
        break;
      }
      case 'ConfirmIdpLogin':
        sheet.append(el('p', 'body', `You're not signed in to ${site(d.idpConfigUrl)} here, or your account there could not be found. Continue to sign in.`));
        actions.append(button('Continue', send({ action: 'clickButton', button: 'ConfirmIdpLoginContinue' }), true));
        sheet.append(actions);
        break;
      case 'Error':
        sheet.append(el('p', 'body', d.error ? `Something went wrong (${d.error}).` : 'Something went wrong.'));
        actions.append(button('Got it', send({ action: 'clickButton', button: 'ErrorGotIt' }), true));
        if (d.url) actions.append(button('More details', send({ action: 'clickButton', button: 'ErrorMoreDetails' })));
        sheet.append(actions);
        break;
      case 'CredentialChooser': {
        const list = el('ul');
        d.credentials.forEach((c, index) => {
          const li = el('li');
          const sub = c.type === 'federated' ? `${c.id} · ${site(c.provider) || c.provider}` : c.id;
          li.append(accountRow({ name: c.name || c.id, email: c.name ? sub : c.type === 'federated' ? sub : '', givenName: '', accountId: c.id, pictureUrl: '', idpConfigUrl: '', idpLoginUrl: '', loginState: 'SignIn' }, send({ action: 'selectAccount', index })));
          list.append(li);
        });
        sheet.append(list);
        break;
      }
      case 'SaveCredential':
        sheet.append(el('p', 'body', d.credential.name ? `${d.credential.name} (${d.credential.id})` : d.credential.id));
        actions.append(button(d.action === 'save' ? 'Save' : 'Update', send({ action: 'clickButton', button: 'SaveCredentialConfirm' }), true));
        actions.append(button('No thanks', send({ action: 'cancel', triggerCooldown: false })));
        sheet.append(actions);
        break;
      case 'OtpConsent':
        sheet.append(el('p', 'body code', d.code));
        actions.append(button('Allow', send({ action: 'clickButton', button: 'OtpConsentAllow' }), true));
        actions.append(button('Deny', send({ action: 'cancel', triggerCooldown: false })));
        sheet.append(actions);
        break;
    }
    sheet.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && event.isTrusted && d.dialogType !== 'AutoReauthn') answer(d.dialogId, { action: 'cancel', triggerCooldown: false });
    });
    layer.append(sheet);
    return layer;
  };

  return {
    show(model) {
      const r = ensureHost();
      r.replaceChildren(render(model));
      shownId = model.dialog.dialogId;
    },
    hide(dialogId) {
      if (shownId !== dialogId || root === undefined) return;
      root.replaceChildren();
      shownId = undefined;
    },
    remove() {
      host?.remove();
      host = undefined;
      root = undefined;
      shownId = undefined;
    },
  };
}
