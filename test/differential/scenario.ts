// The scenario format of the differential harness (docs/differential.md): plain, declarative
// data. One scenario is a fixture (IdPs, RP, their answers), a few setup visits (cookies, login
// status) and a list of steps; a step starts one or more page actions in the RP page (or in a
// frame of it) and then answers the dialogs that appear, in order. The same scenario runs in
// Chromium (record-chromium.ts) and in fedkit's agent (run-agent.ts) against the same fixture.

import type { ClientMetadata, IdpAccount, IdpConfig, IdpEndpoint, WellKnownSetting } from '../fixtures/index.js';

/** A response written as data (turned into a fixture Handler by world.ts). */
export interface ResponseSpec {
  status?: number;
  headers?: Record<string, string | string[]>;
  json?: unknown;
  body?: string;
  redirect?: string;
  /** Add ACAO = the request's Origin and ACAC = true. */
  cors?: boolean;
}

export interface IdpSpec {
  /** Default 'https://idp.example'. */
  origin?: string;
  /** Merged into the fixture's default config; a member set to null is removed. */
  config?: Record<string, unknown> & Partial<Record<keyof IdpConfig, unknown>>;
  /** Default: [johnDoe]. 'two' is WPT's two accounts (jane_doe, john_doe). */
  accounts?: IdpAccount[] | 'two';
  wellKnown?: WellKnownSetting;
  clientMetadata?: ClientMetadata;
  /** The ID assertion endpoint's answer (default `{token: 'token'}` with CORS). */
  token?: ResponseSpec;
  /** Any endpoint's answer replaced. */
  overrides?: Partial<Record<IdpEndpoint, ResponseSpec>>;
  /** Extra delay before an endpoint answers, in ms (on top of the harness's fixed hold). */
  delays?: Partial<Record<IdpEndpoint, number>>;
  /** Extra pages on the IdP origin (popup pages: continue_on, error URL, another login page). */
  pages?: Record<string, { html: string; headers?: Record<string, string> }>;
  /** Whether accounts need the session cookie (default true). */
  requireSession?: boolean;
}

export interface RpSpec {
  /** Default 'https://rp.example'. */
  origin?: string;
  /** Headers on every RP page (Permissions-Policy, CSP). */
  headers?: Record<string, string>;
}

/** A top-level visit during setup (before any request is recorded): sets cookies, login status. */
export type SetupStep =
  | { visit: string }
  /** Shorthand: visit `<idp>/login` (cookie sid=1 and Set-Login: logged-in). */
  | { signIn: string }
  /** Visit `<idp>/logout` (cookie cleared, Set-Login: logged-out). */
  | { signOut: string };

/** The frame the page actions run in: the RP's top page, or an iframe of /embed. */
export interface FrameSpec {
  src: string;
  /** The iframe's allow attribute (none when absent). */
  allow?: string;
}

/**
 * navigator.credentials.get(options). `options` is passed as is (JSON), except that `signal: true`
 * adds an AbortController's signal (aborted by a dialog action `abort`, or before the call with
 * `abortBefore`).
 */
export interface GetAction {
  kind: 'get';
  options: Record<string, unknown>;
  /** Call from a real click (transient user activation). */
  activation?: boolean;
  signal?: boolean;
  /** Abort the signal before calling get(); `reason` as in abort(reason), omitted = no reason. */
  abortBefore?: { reason?: string };
}

export type Action =
  | GetAction
  | { kind: 'disconnect'; options: Record<string, unknown> }
  | { kind: 'setStatus'; status: string }
  | { kind: 'preventSilentAccess' }
  | { kind: 'close' /** IdentityProvider.close() */ };

/** What the user (or the harness) does with the next dialog. */
export type DialogAction =
  | { select: number }
  | { dismiss: true; cooldown?: boolean }
  | { button: 'ConfirmIdpLoginContinue' | 'ErrorGotIt' | 'ErrorMoreDetails' }
  /** Let the dialog be (AutoReauthn goes on by itself). */
  | { observe: true }
  /** Abort action `index`'s signal while this dialog is shown (reason omitted = no reason). */
  | { abort: number; reason?: string };

export interface Step {
  /** Started in order, not awaited one by one (two gets = a concurrent call). */
  actions?: Action[];
  dialogs?: DialogAction[];
  /** Before the actions: FedCm.resetCooldown / automation.resetCooldown(). */
  resetCooldown?: boolean;
  /** Before the actions: a top-level visit in another tab (e.g. the IdP signs out). */
  visit?: string;
}

export interface Scenario {
  /** Unique; the key of goldens and known differences. */
  name: string;
  idps?: IdpSpec[];
  rp?: RpSpec;
  /** Default: [{ signIn: <first IdP> }]. */
  setup?: SetupStep[];
  frame?: FrameSpec;
  /**
   * Popups (login, continue_on, error details) run their page (the fixture login page signs in
   * and calls IdentityProvider.close()); a popup whose path is listed here is closed by the user
   * once it has loaded instead.
   */
  closePopups?: string[];
  steps: Step[];
}

export interface ScenarioGroup {
  /** The golden file's name: goldens/<group>.json. */
  group: string;
  scenarios: Scenario[];
}

// ---------------------------------------------------------------------------------------------
// Helpers for writing scenarios

export const IDP = 'https://idp.example';
export const IDP2 = 'https://idp2.example';
export const CONFIG = `${IDP}/fedcm/config.json`;
export const CONFIG2 = `${IDP2}/fedcm/config.json`;

/** A provider entry (clientId '123', the default fixture IdP). */
export function provider(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { configURL: CONFIG, clientId: '123', ...extra };
}

/** get() options with one provider and extra identity/top-level members. */
export function identity(
  providerExtra: Record<string, unknown> = {},
  identityExtra: Record<string, unknown> = {},
  topLevel: Record<string, unknown> = {},
): Record<string, unknown> {
  return { identity: { providers: [provider(providerExtra)], ...identityExtra }, ...topLevel };
}

/** One get() step. */
export function getStep(options: Record<string, unknown>, dialogs: DialogAction[] = [], extra: Partial<GetAction> = {}): Step {
  return { actions: [{ kind: 'get', options, ...extra }], dialogs };
}

export const SELECT0: DialogAction = { select: 0 };
export const SELECT1: DialogAction = { select: 1 };
export const DISMISS: DialogAction = { dismiss: true };
export const OBSERVE: DialogAction = { observe: true };
export const GOT_IT: DialogAction = { button: 'ErrorGotIt' };
export const CONTINUE: DialogAction = { button: 'ConfirmIdpLoginContinue' };
export const MORE_DETAILS: DialogAction = { button: 'ErrorMoreDetails' };

/** An HTML page whose script runs in the popup. */
export function scriptPage(title: string, script: string): { html: string } {
  return { html: `<!doctype html>\n<meta charset="utf-8"><title>${title}</title>\n<p>${title}</p>\n<script>${script}</script>\n` };
}
