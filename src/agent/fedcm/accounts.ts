// FedCM §3.3 "Fetch the accounts" (and the wrapper "fetch accounts" with its picture fetches and
// hint filters). Mirrors Chromium's accounts_fetcher.cc / ParseAccount.

import { issue, type DiagnosticInit, type IssueReason } from '../base/diagnostics.js';
import { parseJsonResponse } from '../net/json.js';
import { NetError } from '../net/types.js';
import { fetchEndpoint, uncredentialedGet, type IdpNetwork } from './idp-network.js';
import { FedCmFailure } from './failure.js';
import type { BrandIcon, IdentityProviderAccount, IdpConfig, Picture } from './types.js';

export type AccountsResult =
  | { ok: true; accounts: IdentityProviderAccount[] }
  /** `failure` says why; an empty list is a failure too (Chromium: AccountsListEmpty). */
  | { ok: false; failure: FedCmFailure };

const IDENTIFIERS = ['name', 'username', 'email', 'tel'] as const;

/**
 * FedCM §3.3: GET accounts_endpoint with the IdP's cookies, no Origin (the IdP must not learn
 * which RP asks), no redirects. Cookies: Chromium uses the IdP as the site for cookies and the
 * RP as initiator, so a cross-site RP sends only SameSite=None cookies.
 */
export async function fetchAccounts(ctx: IdpNetwork, config: IdpConfig): Promise<AccountsResult> {
  const url = config.accountsEndpoint;
  const res = await fetchEndpoint(ctx, 'accounts endpoint', {
    url,
    method: 'GET',
    headers: { accept: 'application/json' },
    credentials: 'include',
    initiator: ctx.rpOrigin,
    siteForCookies: url,
    mode: 'no-cors',
    destination: 'webidentity',
    redirect: 'error',
  });
  const extra = { url: url.href, configURL: config.configURL.href, endpoint: 'accounts endpoint' as const };
  const failure = (reason: IssueReason, detail: string): AccountsResult => ({
    ok: false,
    failure: new FedCmFailure(issue(reason, detail, extra), { delayed: true }),
  });
  if (res instanceof NetError) return failure('AccountsNoResponse', `The accounts endpoint ${url.href} could not be fetched: ${res.message}`);
  reportWithheldCookies(ctx, res.cookies, url, config);
  const json = parseJsonResponse(res);
  if (!json.ok) {
    const reason: IssueReason =
      json.kind === 'http-not-found'
        ? 'AccountsHttpNotFound'
        : json.kind === 'no-response'
          ? 'AccountsNoResponse'
          : json.kind === 'invalid-content-type'
            ? 'AccountsInvalidContentType'
            : 'AccountsInvalidResponse';
    return failure(reason, `The accounts endpoint ${url.href}: ${json.message}`);
  }
  const parsed = parseAccountList(json.value);
  if (typeof parsed === 'string') return failure('AccountsInvalidResponse', `The accounts endpoint ${url.href} returned an invalid list: ${parsed}`);
  if (parsed.length === 0) {
    const sent = res.cookies.filter((c) => c.sent).map((c) => c.name);
    return failure(
      'AccountsListEmpty',
      `${url.href} returned no accounts. ${sent.length === 0 ? 'No cookies were sent with the request' : `Cookies sent: ${sent.join(', ')}`}; the IdP must recognise its signed-in user from SameSite=None; Secure cookies.`,
    );
  }
  return { ok: true, accounts: parsed };
}

/**
 * Tells the developer about cookies the jar had for the accounts endpoint but did not send. A
 * cookie withheld for SameSite=Lax (said or defaulted) is the classic FedCM mistake, a warning; one
 * the IdP set SameSite=Strict was made never to travel cross-site (a CSRF cookie, say), so it is
 * only information: warning about it would be noise at every sign-in.
 */
function reportWithheldCookies(
  ctx: IdpNetwork,
  decisions: { name: string; sent: boolean; sameSite?: string; reason?: string }[],
  url: URL,
  config: IdpConfig,
): void {
  for (const d of decisions) {
    if (d.sent) continue;
    ctx.report({
      reason: 'CookieNotSent',
      level: d.sameSite === 'strict' ? 'info' : 'warning',
      message: `A cookie was not sent to the accounts endpoint.`,
      detail: d.reason ?? `cookie \`${d.name}\` was not sent`,
      url: url.href,
      configURL: config.configURL.href,
    });
  }
}

/**
 * Chromium OnAccountsRequestParsed/ParseAccount: `{accounts: [...]}`; any bad element, any
 * account without an id or without one of name/username/email/tel (after trimming), or a
 * duplicate id makes the whole list invalid. Returns the accounts or what is wrong.
 */
export function parseAccountList(body: unknown): IdentityProviderAccount[] | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body is not a JSON object';
  const list = (body as Record<string, unknown>)['accounts'];
  if (list === undefined) return 'it has no "accounts" member';
  if (!Array.isArray(list)) return `"accounts" is ${typeof list}, not an array`;
  const seen = new Set<string>();
  const accounts: IdentityProviderAccount[] = [];
  for (const [i, entry] of list.entries()) {
    const account = parseAccount(entry);
    if (typeof account === 'string') return `accounts[${i}] ${account}`;
    if (seen.has(account.id)) return `accounts[${i}] repeats the id ${JSON.stringify(account.id)}`;
    seen.add(account.id);
    accounts.push(account);
  }
  return accounts;
}

function parseAccount(entry: unknown): IdentityProviderAccount | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'is not an object';
  const raw = entry as Record<string, unknown>;
  const id = raw['id'];
  if (typeof id !== 'string' || id === '') return 'has no string "id"';
  const account: IdentityProviderAccount = { id };
  for (const field of ['name', 'email', 'tel', 'username', 'given_name'] as const) {
    const value = raw[field];
    if (typeof value === 'string' && value.trim() !== '') account[field] = value;
  }
  if (!IDENTIFIERS.some((f) => account[f] !== undefined)) {
    return `(id ${JSON.stringify(id)}) has none of "name", "username", "email", "tel"; at least one is required`;
  }
  const picture = raw['picture'];
  if (typeof picture === 'string' && URL.canParse(picture)) account.picture = new URL(picture).href;
  for (const field of ['approved_clients', 'login_hints', 'domain_hints'] as const) {
    const list = stringList(raw[field]);
    if (list) account[field] = list;
  }
  const labels = stringList(raw['label_hints']) ?? stringList(raw['labels']);
  if (labels) account.label_hints = labels;
  return account;
}

/** Non-string entries are ignored, as Chromium does. */
function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === 'string');
}

/**
 * How many pictures are fetched at once: Chromium's socket pool allows 6 connections per host,
 * so an IdP listing thousands of pictures gets them 6 at a time there too. Without a limit every
 * picture opened its own TLS connection at once (10,000 accounts: 10,000 handshakes, and as many
 * listeners on the request's abort signal), and each waited in a queue its timeout did not allow for.
 */
export const PICTURES_IN_FLIGHT = 6;

/**
 * The account pictures, uncredentialed, failures tolerated. Chromium 156 fetches them after the
 * hint filters, only for the accounts the dialog will show (none when no account matches), and
 * after the client metadata (measured: test/differential, hints and request-order scenarios);
 * fedkit does the same. (The spec's "fetch accounts" fetches every picture before filtering so
 * the IdP cannot infer the hints from which pictures are requested: docs/decisions.md.) Chromium
 * sends these through its uncredentialed FedCM loader (Accept: application/json,
 * Sec-Fetch-Dest: webidentity); so does fedkit.
 */
export async function fetchPictures(
  ctx: IdpNetwork,
  accounts: IdentityProviderAccount[],
  config: IdpConfig,
): Promise<Map<string, Picture>> {
  const pictures = new Map<string, Picture>();
  const urls = [...new Set(accounts.map((a) => a.picture).filter((p): p is string => p !== undefined))];
  const fetchOne = async (href: string): Promise<void> => {
    const url = new URL(href);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return;
    const res = await fetchEndpoint(ctx, 'account picture', uncredentialedGet(url));
    if (res instanceof NetError || res.status < 200 || res.status > 299) {
      ctx.report(pictureFailed(url, config, res instanceof NetError ? res.message : `status ${res.status}`));
      return;
    }
    pictures.set(href, { contentType: res.headers.get('content-type') ?? '', bytes: res.body });
  };
  // A few workers take the next URL as each finishes; an abort of the request stops them all.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < urls.length) {
      const href = urls[next++];
      if (href !== undefined) await fetchOne(href);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PICTURES_IN_FLIGHT, urls.length) }, worker));
  return pictures;
}

/**
 * The brand icon sizes of Chromium 156's passive dialogs, in px at device scale factor 1,
 * measured with the differential scenarios "brand icon: …" (test/differential/scenarios/
 * dialogs.ts): of 48 and 64 it takes 64, of 49 and 64 it takes 64, of 50 and 64 it takes 50, so
 * the ideal size is 50; a lone 25 is fetched and a lone 24 is not, so the minimum is 25 (the
 * desktop bubble's 20 px icon over the 0.8 maskable safe zone; the ideal is twice it).
 */
export const BRAND_ICON_IDEAL_SIZE = 50;
export const BRAND_ICON_MINIMUM_SIZE = 25;

/**
 * Which of the config's `branding.icons` Chromium fetches (blink::ManifestIconSelector over the
 * icons, each `size` a square, no size meaning "any"), as measured: an icon without a size wins
 * wherever it is listed (the first one); else the smallest icon at least the ideal size; else the
 * largest one at least the minimum; else none. An approximation at device scale factor 1
 * (Chromium scales the sizes by it): docs/decisions.md.
 */
export function chooseBrandIcon(icons: readonly BrandIcon[], ideal: number = BRAND_ICON_IDEAL_SIZE, minimum: number = BRAND_ICON_MINIMUM_SIZE): BrandIcon | undefined {
  const any = icons.find((i) => i.size === 0);
  if (any) return any;
  let best: BrandIcon | undefined;
  for (const icon of icons) {
    if (icon.size < minimum) continue;
    if (best === undefined) best = icon;
    else if (icon.size >= ideal) best = best.size < ideal || icon.size < best.size ? icon : best;
    else if (best.size < ideal && icon.size > best.size) best = icon;
  }
  return best;
}

/**
 * Fetches the brand icon the dialogs show, with the headers of a picture fetch (Chromium sends
 * both through the same uncredentialed loader: the differential goldens show them). Returns
 * undefined when the config names none; a failure is a `BrandIconFetchFailed` warning, and the
 * dialog shows no icon.
 */
export async function fetchBrandIcon(ctx: IdpNetwork, config: IdpConfig): Promise<{ url: string; image: Picture } | undefined> {
  const icon = chooseBrandIcon(config.branding?.icons ?? []);
  if (!icon) return undefined;
  const url = new URL(icon.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const res = await fetchEndpoint(ctx, 'brand icon', uncredentialedGet(url));
  if (res instanceof NetError || res.status < 200 || res.status > 299) {
    ctx.report({
      reason: 'BrandIconFetchFailed',
      level: 'warning',
      message: "The IdP's brand icon could not be fetched; the dialog shows none.",
      detail: `${url.href} (branding.icons in ${config.configURL.href}): ${res instanceof NetError ? res.message : `status ${res.status}`}`,
      url: url.href,
      configURL: config.configURL.href,
    });
    return undefined;
  }
  return { url: url.href, image: { contentType: res.headers.get('content-type') ?? '', bytes: res.body } };
}

function pictureFailed(url: URL, config: IdpConfig, why: string): DiagnosticInit {
  return {
    reason: 'PictureFetchFailed',
    level: 'info',
    message: 'An account picture could not be fetched; the chooser shows no picture for it.',
    detail: `${url.href}: ${why}`,
    url: url.href,
    configURL: config.configURL.href,
  };
}

export interface AccountFilter {
  loginHint?: string;
  domainHint?: string;
  accountLabel?: string;
}

/**
 * FedCM §3.3 "fetch accounts" filters: loginHint must be in login_hints; domainHint must be in
 * domain_hints ("any": domain_hints non-empty); the config's account_label must be in label_hints.
 */
export function filterAccounts(accounts: IdentityProviderAccount[], filter: AccountFilter): IdentityProviderAccount[] {
  return accounts.filter((a) => {
    if (filter.loginHint !== undefined && !(a.login_hints ?? []).includes(filter.loginHint)) return false;
    if (filter.domainHint !== undefined) {
      const hints = a.domain_hints ?? [];
      if (filter.domainHint === 'any' ? hints.length === 0 : !hints.includes(filter.domainHint)) return false;
    }
    if (filter.accountLabel !== undefined && !(a.label_hints ?? []).includes(filter.accountLabel)) return false;
    return true;
  });
}

/** Chromium's display rule: the first non-empty of name, username, email, tel; then the next. */
export function displayNames(a: IdentityProviderAccount): { name: string; identifier: string } {
  const present = IDENTIFIERS.map((f) => a[f]).filter((v): v is string => v !== undefined);
  return { name: present[0] ?? '', identifier: present[1] ?? '' };
}
