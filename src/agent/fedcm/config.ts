// FedCM §3.2 "Fetch the config file": the well-known file and the config file, fetched in
// parallel, then cross-checked. Mirrors Chromium's config_fetcher.cc.

import { getDomain } from 'tldts';
import { isLocalhost, isSameOrigin, isPotentiallyTrustworthy } from '../../common/site.js';
import { memoized } from '../../common/memo.js';
import { isSameSiteCached as isSameSite } from '../net/sites.js';
import { issue, type DiagnosticInit, type IssueReason } from '../base/diagnostics.js';
import { jsonText, parseJsonResponse, parseJsonText, type JsonResult } from '../net/json.js';
import { NetError } from '../net/types.js';
import { fetchEndpoint, uncredentialedGet, type IdpNetwork } from './idp-network.js';
import { FedCmFailure } from './failure.js';
import type { BrandIcon, Branding, IdpConfig, WellKnown } from './types.js';

/** What parseConfig builds before it hands the config on read-only. */
type Building<T> = { -readonly [K in keyof T]: T[K] };

const WELL_KNOWN_PATH = '/.well-known/web-identity';

/**
 * FedCM §3.2 step "root url", as Chromium computes it (ComputeWellKnownUrl): for localhost and
 * loopback configs the config's own scheme, host and port; otherwise the registrable domain
 * (eTLD+1, private registries included) on the default port. Null when the host has none.
 */
export function wellKnownUrl(configURL: URL): URL | null {
  const href = wellKnownHref(configURL);
  return href === null ? null : new URL(href);
}

/**
 * The well-known URL's text, kept per scheme, host and port (all it depends on): the localhost
 * check and the Public Suffix List walk (tldts getDomain, private registries included) are made
 * once per IdP, not on every sign-in. Callers get a URL of their own from it.
 */
const wellKnownHref = memoized(
  (configURL: URL): string | null => {
    if (isLocalhost(configURL.hostname)) return new URL(WELL_KNOWN_PATH, configURL.origin).href;
    const domain = getDomain(configURL.hostname, { allowPrivateDomains: true });
    if (domain === null) return null;
    return new URL(`${configURL.protocol}//${domain}${WELL_KNOWN_PATH}`).href;
  },
  256,
  (configURL) => `${configURL.protocol}//${configURL.host}`,
);

/** FedCM §3.2 step 5: the well-known check is skipped when RP and IdP are same-site. */
export function wellKnownCheckApplies(rpOrigin: string, configURL: URL): boolean {
  return rpOrigin === 'null' || !isSameSite(rpOrigin, configURL);
}

/**
 * FedCM §3.2, the whole step: fetch both files (in parallel), validate, cross-check.
 * Throws FedCmFailure (delayed, as Chromium delays config failures).
 */
export async function fetchConfig(ctx: IdpNetwork, configURL: URL, options: { strictWellKnown?: boolean } = {}): Promise<IdpConfig> {
  const checkWellKnown = wellKnownCheckApplies(ctx.rpOrigin, configURL);
  const [wellKnown, config] = await Promise.all([
    checkWellKnown ? fetchWellKnown(ctx, configURL) : Promise.resolve(null),
    fetchConfigFile(ctx, configURL),
  ]);
  if (wellKnown instanceof FedCmFailure) throw wellKnown;
  if (config instanceof FedCmFailure) throw config;
  if (wellKnown !== null) {
    const warning = validateAgainstWellKnown(wellKnown, config, options.strictWellKnown);
    if (warning) ctx.report(warning);
  }
  return config;
}

function fail(reason: IssueReason, detail: string, extra: Partial<DiagnosticInit> = {}): FedCmFailure {
  return new FedCmFailure(issue(reason, detail, extra), { delayed: true });
}

/** Maps a fetch/extract failure of one endpoint to its Chromium reason. */
function endpointFailure(
  reasons: { notFound: IssueReason; noResponse: IssueReason; invalid: IssueReason; contentType: IssueReason },
  what: string,
  url: URL,
  result: NetError | { kind: string; message: string },
  configURL: URL,
): FedCmFailure {
  const extra = { url: url.href, configURL: configURL.href };
  if (result instanceof NetError) return fail(reasons.noResponse, `The ${what} at ${url.href} could not be fetched: ${result.message}`, extra);
  switch (result.kind) {
    case 'http-not-found':
      return fail(reasons.notFound, `${url.href} answered 404. Serve the ${what} at exactly this URL.`, extra);
    case 'no-response':
      return fail(reasons.noResponse, `The ${what} at ${url.href}: ${result.message}`, extra);
    case 'invalid-content-type':
      return fail(reasons.contentType, `The ${what} at ${url.href}: ${result.message}`, extra);
    default:
      return fail(reasons.invalid, `The ${what} at ${url.href}: ${result.message}`, extra);
  }
}

/** FedCM §3.2 step 6: the well-known request (uncredentialed; the only one that follows redirects). */
export async function fetchWellKnown(ctx: IdpNetwork, configURL: URL): Promise<WellKnown | FedCmFailure> {
  const url = wellKnownUrl(configURL);
  const extra = { configURL: configURL.href };
  if (url === null) {
    return fail(
      'WellKnownHttpNotFound',
      `${configURL.hostname} has no registrable domain, so there is no well-known file to check (${configURL.href}). Use a host name under a public suffix, or serve the RP from the same site as the IdP.`,
      extra,
    );
  }
  const res = await fetchEndpoint(ctx, 'well-known file', uncredentialedGet(url, { redirect: 'follow' }));
  const reasons = {
    notFound: 'WellKnownHttpNotFound',
    noResponse: 'WellKnownNoResponse',
    invalid: 'WellKnownInvalidResponse',
    contentType: 'WellKnownInvalidContentType',
  } as const;
  if (res instanceof NetError) return endpointFailure(reasons, 'well-known file', url, res, configURL);
  const json = parseJsonResponse(res);
  if (!json.ok) return endpointFailure(reasons, 'well-known file', url, json, configURL);
  return parseWellKnown(json.value as Record<string, unknown>, res.url, configURL);
}

/** Chromium OnWellKnownParsed: either the direct form or a non-empty provider_urls list. */
export function parseWellKnown(body: Record<string, unknown>, url: URL, configURL: URL): WellKnown | FedCmFailure {
  const extra = { url: url.href, configURL: configURL.href };
  const result: WellKnown = { url };
  const accounts = resolveString(body['accounts_endpoint'], url);
  const login = resolveString(body['login_url'], url);
  if (accounts && login) {
    result.accountsEndpoint = accounts;
    result.loginUrl = login;
    if (!('provider_urls' in body)) return result;
  }
  const list = body['provider_urls'];
  if (!Array.isArray(list)) {
    return fail(
      'WellKnownInvalidResponse',
      `${url.href} must contain "provider_urls": ["${configURL.href}"] (or both "accounts_endpoint" and "login_url"); it has ${list === undefined ? 'neither' : `provider_urls of type ${typeof list}`}.`,
      extra,
    );
  }
  if (list.length === 0) {
    return fail('WellKnownListEmpty', `"provider_urls" in ${url.href} is empty; list "${configURL.href}".`, extra);
  }
  const urls: URL[] = [];
  for (const entry of list) {
    const resolved = typeof entry === 'string' ? resolveUrl(entry, url) : null;
    if (resolved === null) {
      return fail('WellKnownInvalidResponse', `"provider_urls" in ${url.href} has an entry that is not a URL: ${JSON.stringify(entry)}.`, extra);
    }
    urls.push(resolved);
  }
  result.providerUrls = urls;
  return result;
}

/** FedCM §3.2 step 7: the config request (uncredentialed, redirects are errors). */
export async function fetchConfigFile(ctx: IdpNetwork, configURL: URL): Promise<IdpConfig | FedCmFailure> {
  const res = await fetchEndpoint(ctx, 'config file', uncredentialedGet(configURL));
  const reasons = {
    notFound: 'ConfigHttpNotFound',
    noResponse: 'ConfigNoResponse',
    invalid: 'ConfigInvalidResponse',
    contentType: 'ConfigInvalidContentType',
  } as const;
  if (res instanceof NetError) return endpointFailure(reasons, 'config file', configURL, res, configURL);
  const text = jsonText(res);
  if (!text.ok) return endpointFailure(reasons, 'config file', configURL, text, configURL);
  const parsed = configOfText(configURL, text.text);
  if ('ok' in parsed) return endpointFailure(reasons, 'config file', configURL, parsed, configURL);
  for (const warning of parsed.warnings) ctx.report(warning);
  return parsed.config;
}

/**
 * A config file's text parsed (parseJsonText, then parseConfig), kept by config URL and text: an
 * IdP serves the same config to every sign-in, and parsing it again (JSON and five URLs) was a
 * few per cent of an in-process sign-in. Only what parses into a config is kept, and the config is
 * read-only from here on (no step changes an IdpConfig; those that add to an endpoint copy it
 * first), so every request may share it. Bounded as every memo here is.
 */
const parsedConfigs = new Map<string, { config: IdpConfig; warnings: DiagnosticInit[] }>();
const MAX_PARSED_CONFIGS = 64;
/** Config texts longer than this are parsed every time rather than kept as keys. */
const MAX_KEPT_CONFIG_CHARS = 16 * 1024;

function configOfText(configURL: URL, text: string): { config: IdpConfig | FedCmFailure; warnings: DiagnosticInit[] } | Extract<JsonResult, { ok: false }> {
  const key = text.length <= MAX_KEPT_CONFIG_CHARS ? `${configURL.href}\n${text}` : undefined;
  const known = key === undefined ? undefined : parsedConfigs.get(key);
  if (known !== undefined) return known;
  const json = parseJsonText(text);
  if (!json.ok) return json;
  const parsed = parseConfig(json.value as Record<string, unknown>, configURL);
  if (key !== undefined && !(parsed.config instanceof FedCmFailure)) {
    if (parsedConfigs.size >= MAX_PARSED_CONFIGS) parsedConfigs.clear();
    const branding = parsed.config.branding;
    if (branding !== undefined) {
      for (const icon of branding.icons) Object.freeze(icon);
      Object.freeze(branding.icons);
      Object.freeze(branding);
    }
    Object.freeze(parsed.config);
    parsedConfigs.set(key, parsed as { config: IdpConfig; warnings: DiagnosticInit[] });
  }
  return parsed;
}

/**
 * A config of its own, URLs included, for a caller outside the request steps (agent.probe()):
 * the one fetchConfigFile() returns may be shared (configOfText), and a URL's setters stay open
 * on a frozen object.
 */
export function copyConfig(config: IdpConfig): IdpConfig {
  const copy: Building<IdpConfig> = {
    configURL: new URL(config.configURL),
    accountsEndpoint: new URL(config.accountsEndpoint),
    idAssertionEndpoint: new URL(config.idAssertionEndpoint),
    loginUrl: new URL(config.loginUrl),
    supportsUseOtherAccount: config.supportsUseOtherAccount,
  };
  if (config.clientMetadataEndpoint !== undefined) copy.clientMetadataEndpoint = new URL(config.clientMetadataEndpoint);
  if (config.disconnectEndpoint !== undefined) copy.disconnectEndpoint = new URL(config.disconnectEndpoint);
  if (config.accountLabel !== undefined) copy.accountLabel = config.accountLabel;
  if (config.branding !== undefined) copy.branding = { ...config.branding, icons: config.branding.icons.map((icon) => ({ ...icon })) };
  return copy;
}

/**
 * Chromium OnConfigParsed + FedCM "computing the manifest URL": endpoints are strings ("" is
 * absent) resolved against the config URL; the three required ones must be same-origin with it
 * and potentially trustworthy.
 */
export function parseConfig(
  body: Record<string, unknown>,
  configURL: URL,
): { config: IdpConfig | FedCmFailure; warnings: DiagnosticInit[] } {
  const warnings: DiagnosticInit[] = [];
  const extra = { url: configURL.href, configURL: configURL.href };
  const required = ['id_assertion_endpoint', 'accounts_endpoint', 'login_url'] as const;
  const resolved: Partial<Record<(typeof required)[number], URL>> = {};
  const problems: string[] = [];
  for (const name of required) {
    const value = body[name];
    const url = resolveString(value, configURL);
    if (url === null) {
      problems.push(value === undefined || value === '' ? `"${name}" is missing` : `"${name}" is not a URL: ${JSON.stringify(value)}`);
    } else if (!isSameOrigin(url, configURL)) {
      problems.push(`"${name}" (${url.href}) is not same-origin with the config file (${configURL.origin})`);
    } else if (!isPotentiallyTrustworthy(url)) {
      problems.push(`"${name}" (${url.href}) is not potentially trustworthy (use https)`);
    } else {
      resolved[name] = url;
    }
  }
  if (problems.length > 0 || !resolved.accounts_endpoint || !resolved.id_assertion_endpoint || !resolved.login_url) {
    return {
      config: fail(
        'ConfigInvalidResponse',
        `Config file is missing or has an invalid URL: ${problems.join('; ')}. Endpoints may be relative to ${configURL.href} and must stay on its origin.`,
        extra,
      ),
      warnings,
    };
  }
  const config: Building<IdpConfig> = {
    configURL,
    accountsEndpoint: resolved.accounts_endpoint,
    idAssertionEndpoint: resolved.id_assertion_endpoint,
    loginUrl: resolved.login_url,
    supportsUseOtherAccount: supportsUseOtherAccount(body),
  };
  const clientMetadata = resolveString(body['client_metadata_endpoint'], configURL);
  if (clientMetadata) config.clientMetadataEndpoint = clientMetadata;
  const disconnect = resolveString(body['disconnect_endpoint'], configURL);
  if (disconnect) config.disconnectEndpoint = disconnect;
  const label = accountLabel(body);
  if (label !== undefined) config.accountLabel = label;
  const branding = parseBranding(body['branding'], configURL, warnings);
  if (branding) config.branding = branding;
  return { config, warnings };
}

/** Spec: top-level `supports_use_other_account`; Chromium's older `modes.active|passive` form too (WPT uses it). */
function supportsUseOtherAccount(body: Record<string, unknown>): boolean {
  if (body['supports_use_other_account'] === true) return true;
  const modes = body['modes'];
  if (isObject(modes)) {
    for (const mode of ['active', 'passive']) {
      const m = modes[mode];
      if (isObject(m) && m['supports_use_other_account'] === true) return true;
    }
  }
  return false;
}

/** Spec: top-level `account_label`; Chromium's older `accounts: {include: "label"}` too. */
function accountLabel(body: Record<string, unknown>): string | undefined {
  const label = body['account_label'];
  if (typeof label === 'string' && label !== '') return label;
  const accounts = body['accounts'];
  if (isObject(accounts) && typeof accounts['include'] === 'string' && accounts['include'] !== '') return accounts['include'];
  return undefined;
}

function parseBranding(value: unknown, configURL: URL, warnings: DiagnosticInit[]): Branding | undefined {
  if (!isObject(value)) return undefined;
  const branding: Building<Branding> & { icons: BrandIcon[] } = { icons: [] };
  if (typeof value['background_color'] === 'string') branding.backgroundColor = value['background_color'];
  if (typeof value['color'] === 'string') {
    if (branding.backgroundColor === undefined) {
      warnings.push({
        reason: 'ConfigWarning',
        level: 'warning',
        message: 'The FedCM text color is ignored because background color was not provided',
        detail: `Add "background_color" to "branding" in ${configURL.href} or remove "color".`,
        configURL: configURL.href,
      });
    } else {
      branding.color = value['color'];
    }
  }
  if (typeof value['name'] === 'string') branding.name = value['name'];
  if (Array.isArray(value['icons'])) {
    for (const icon of value['icons']) {
      if (!isObject(icon)) continue;
      const url = resolveString(icon['url'], configURL);
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) continue;
      const size = typeof icon['size'] === 'number' && Number.isInteger(icon['size']) && icon['size'] >= 0 ? icon['size'] : 0;
      branding.icons.push({ url: url.href, size });
    }
  }
  return branding;
}

/**
 * Chromium ConfigFetcher::ValidateAndMaybeSetError (after both fetches): the direct form must
 * match the config; otherwise provider_urls must have exactly one entry equal to the configURL.
 * FedCM §3.2 step 9 (PR #760, WPT well-known-client-metadata-validation): a config with
 * client_metadata_endpoint needs the direct form. Chromium 156 only warns (feature
 * FedCmWellKnownEndpointValidation is off), and so does fedkit unless `strictWellKnown` is set
 * (docs/decisions.md). The warning is returned for the caller to report.
 */
export function validateAgainstWellKnown(wellKnown: WellKnown, config: IdpConfig, strictWellKnown = false): DiagnosticInit | undefined {
  const extra = { url: wellKnown.url.href, configURL: config.configURL.href };
  const direct = wellKnown.accountsEndpoint !== undefined && wellKnown.loginUrl !== undefined;
  let warning: DiagnosticInit | undefined;
  if (config.clientMetadataEndpoint && !direct) {
    const detail = `The config ${config.configURL.href} has "client_metadata_endpoint", so ${wellKnown.url.href} should also list "accounts_endpoint": "${config.accountsEndpoint.href}" and "login_url": "${config.loginUrl.href}" (FedCM §3.2; Chrome will require it).`;
    if (strictWellKnown) throw fail('WellKnownInvalidResponse', detail, extra);
    warning = {
      reason: 'ConfigWarning',
      level: 'warning',
      message:
        'The FedCM configuration uses client_metadata but the .well-known/web-identity file is missing required endpoints.',
      detail,
      ...extra,
    };
  }
  if (direct) {
    if (wellKnown.accountsEndpoint?.href !== config.accountsEndpoint.href || wellKnown.loginUrl?.href !== config.loginUrl.href) {
      throw fail(
        'ConfigInvalidResponse',
        `The well-known file contains an accounts endpoint or login_url that doesn't match the one in the configURL: ${wellKnown.url.href} has accounts_endpoint ${wellKnown.accountsEndpoint?.href} and login_url ${wellKnown.loginUrl?.href}, the config has ${config.accountsEndpoint.href} and ${config.loginUrl.href}.`,
        extra,
      );
    }
    return warning;
  }
  const urls = wellKnown.providerUrls ?? [];
  if (urls.length > 1) {
    throw fail(
      'WellKnownTooBig',
      `${wellKnown.url.href} lists ${urls.length} config URLs; browsers accept exactly one. Keep only "${config.configURL.href}".`,
      extra,
    );
  }
  if (urls[0]?.href !== config.configURL.href) {
    throw fail(
      'ConfigNotInWellKnown',
      `${wellKnown.url.href} lists ${urls[0]?.href ?? 'nothing'}, but the page asked for ${config.configURL.href}. The entry must equal the configURL exactly (scheme, host, port, path).`,
      extra,
    );
  }
  return warning;
}

function resolveString(value: unknown, base: URL): URL | null {
  if (typeof value !== 'string' || value === '') return null;
  return resolveUrl(value, base);
}

function resolveUrl(value: string, base: URL): URL | null {
  try {
    return new URL(value, base);
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
