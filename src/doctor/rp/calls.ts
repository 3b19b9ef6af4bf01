// What the page's navigator.credentials calls will run into in Chrome, from what the run recorded
// (observe.ts): each identity get()'s mode against the document's user activation, its pending
// neighbours, its providers' nonce and config URLs (against the document's CSP, even when the call
// failed earlier for another reason), what the agent refused it with; the IdP files every user
// fails on; and a page that never asked.

import { consoleMessage, type Diagnostic } from '../../agent/index.js';
import type { Finding, FindingTarget } from '../finding.js';
import { cspRefusal } from './document.js';
import { rpFinding } from './findings.js';
import type { Observation, ObservedCall } from './observe.js';

/** Rejections of the options themselves, before any request (WebIDL and FedCM §2.5 conversions). */
const OPTION_ERRORS = new Set(['TypeError', 'NotSupportedError', 'InvalidStateError', 'SyntaxError']);
/** Page-side refusals of the agent, passed through with their own id. */
const PAGE_REASONS = new Set(['RelyingPartyOriginIsOpaque', 'DuplicateConfigUrl', 'IdpNotPotentiallyTrustworthy']);

/** Findings about the identity get() calls of the run. */
export function callFindings(obs: Observation): Finding[] {
  const findings: Finding[] = [];
  // A provider's nonce and its config URL against the CSP are one problem however often it is called.
  const once = new Set<string>();
  const first = (f: Finding): boolean => {
    const key = `${f.id} ${f.url ?? ''}`;
    if (once.has(key)) return false;
    once.add(key);
    return true;
  };
  for (const call of obs.calls) {
    if (call.identity === undefined) continue;
    findings.push(...activation(call), ...concurrency(call), ...nonces(call).filter(first), ...csp(call).filter(first), ...refusal(call));
  }
  return findings;
}

/** FedCM §2.2.1 (active mode): "If the mode is active and the document has no transient activation, reject". */
function activation(call: ObservedCall): Finding[] {
  if (call.identity?.mode !== 'active' || call.activation) return [];
  const when = call.afterClick ? 'more than 5 s after the click, or outside the click' : 'before any click';
  const agentSays = call.outcome?.kind === 'rejected' && call.outcome.cause?.reason === 'MissingTransientUserActivation' ? ' The agent refused it the same way.' : '';
  return [
    rpFinding(
      'MissingTransientUserActivation',
      `${describe(call)} has mode 'active' but was made ${when}, without transient user activation: Chrome rejects it ("${consoleMessage.MissingTransientUserActivation}").${agentSays}`,
      { url: call.document.frame.url.href },
    ),
  ];
}

/** Credential Management §2.5.1 step 6.3, FedCM's rule: one identity request pending per document. */
function concurrency(call: ObservedCall): Finding[] {
  const o = call.outcome;
  if (o?.kind !== 'rejected' || o.name !== 'NotAllowedError' || o.message !== consoleMessage.TooManyRequests) return [];
  const pending = call.pendingAtCall.map((p) => `${describe(p)}${p.dialogs.length > 0 ? `, its ${p.dialogs.join(', ')} dialog still open` : ''}`).join('; ');
  return [
    rpFinding(
      'TooManyRequests',
      `${describe(call)} was refused with NotAllowedError ("${o.message}") because another identity request was pending in the document${pending === '' ? '' : `: ${pending}`}.`,
      { url: call.document.frame.url.href },
    ),
  ];
}

/** Chromium's deprecation of a provider's own `nonce` (FedCM §2.5: `params` carries it now). */
function nonces(call: ObservedCall): Finding[] {
  return call.identity!.providers
    .filter((p) => p.topLevelNonce)
    .map((p) =>
      rpFinding(
        'NonceInTopLevel',
        `${describe(call)} passes nonce as a member of ${call.identity!.providers.length > 1 && p.configURL !== undefined ? `the provider ${p.configURL}` : 'its provider'}, not in params: Chrome warns "The 'nonce' parameter should be passed within the 'params' object instead of as a top-level parameter." and will stop sending it.`,
        { url: p.configURL ?? call.document.frame.url.href },
      ),
    );
}

/** CSP3 connect-src for each config URL (Chromium's renderer check before any FedCM fetch). */
function csp(call: ObservedCall): Finding[] {
  const findings: Finding[] = [];
  const frame = call.document.frame;
  for (const p of call.identity!.providers) {
    if (p.configURL === undefined || !URL.canParse(p.configURL)) continue;
    const url = new URL(p.configURL);
    const refusal = cspRefusal(frame, url);
    if (refusal === null) continue;
    const cause = call.outcome?.kind === 'rejected' ? call.outcome.cause : undefined;
    let seen: string;
    if (cause?.reason === 'InvalidRequest' && cause.configURL === url.href && refusal.source === 'header') {
      // The agent refused the call for this very reason: its words.
      seen = `${cause.message} ${cause.detail}`;
    } else {
      const policy = refusal.source === 'header' ? "The page's Content-Security-Policy" : `The page's <meta http-equiv="Content-Security-Policy">`;
      const note =
        refusal.source === 'meta'
          ? ' (fedkit\'s agent does not enforce <meta> policies, so the call went on; Chrome does.)'
          : call.outcome?.kind === 'rejected'
            ? ` (${describe(call)} failed earlier, with ${call.outcome.name}; it would have been refused here next.)`
            : '';
      seen = `Refused to connect to '${url.href}' because it violates the document's Content Security Policy. ${policy} "${refusal.directive}"${refusal.fallback ? ' (connect-src is not set, so default-src applies)' : ''} does not allow ${url.href}.${note}`;
    }
    findings.push(
      rpFinding('RpCspBlocksConfig', seen, {
        url: url.href,
        fix: `Add ${url.origin} to connect-src in the page's Content-Security-Policy${refusal.source === 'meta' ? ' <meta>' : ''} (or to default-src when there is no connect-src).`,
      }),
    );
  }
  return findings;
}

/** What the agent refused the call with, when the page is to blame (its options, its origin). */
function refusal(call: ObservedCall): Finding[] {
  const o = call.outcome;
  if (o?.kind !== 'rejected') return [];
  const url = call.document.frame.url.href;
  if (o.cause !== undefined && PAGE_REASONS.has(o.cause.reason)) {
    return [rpFinding(o.cause.reason as 'RelyingPartyOriginIsOpaque', `${describe(call)} was refused: ${o.cause.message} ${o.cause.detail}`, { url })];
  }
  if (o.cause === undefined && OPTION_ERRORS.has(o.name)) {
    return [rpFinding('InvalidRequest', `${describe(call)} was rejected with ${o.name}: ${o.message} (before any request: the options themselves are refused).`, { url })];
  }
  return [];
}

/**
 * The IdP files every user fails on (the well-known file, the config): the page's configURL is
 * wrong or the IdP is broken. Failures after them (no session, no accounts) are what a doctor
 * without a signed-in user expects, and are not findings.
 */
export function idpFileFindings(diagnostics: readonly Diagnostic[]): Finding[] {
  return diagnostics
    .filter((d) => d.level === 'error' && (d.reason.startsWith('WellKnown') || d.reason.startsWith('Config')))
    .map((d) => {
      const target: FindingTarget = d.reason.startsWith('WellKnown') || d.reason === 'ConfigNotInWellKnown' ? 'well-known file' : 'config file';
      const config = d.configURL ?? 'the configURL';
      return {
        id: d.reason,
        level: 'error' as const,
        target,
        ...(d.url === undefined && d.configURL === undefined ? {} : { url: d.url ?? d.configURL }),
        seen: `${d.message} ${d.detail}`.trim(),
        fix: `Check that the page passes the IdP's own config URL (${config}); if it does, the IdP must fix this (run fedkit doctor on that config URL), since Chrome fails here for every user.`,
      };
    });
}

/** No identity get() at all within the settle time. */
export function noCallFinding(obs: Observation, settleMs: number): Finding | undefined {
  if (obs.calls.some((c) => c.identity !== undefined)) return undefined;
  const others = obs.calls.map((c) => `${c.method}()`);
  const clicked = obs.click?.clicked ? ` and the click on ${obs.click.selector}` : '';
  const url = obs.documents.at(-1)?.frame.url.href;
  return rpFinding(
    'RpNoFedCmCall',
    `The page made no navigator.credentials.get({ identity }) call within ${settleMs} ms after it loaded${clicked}${others.length > 0 ? ` (it called ${[...new Set(others)].join(', ')})` : ''}.`,
    {
      ...(url === undefined ? {} : { url }),
      ...(obs.click === undefined
        ? {}
        : obs.click.clicked
          ? { fix: `Check that the click on ${obs.click.selector} reaches the code that calls get() (another selector?), or raise settleMs if the page calls it later.` }
          : { fix: `Nothing matched ${obs.click.selector}: pass the selector of the page's sign-in button, or raise settleMs if the page calls get() later.` }),
    },
  );
}

/** "get() #2 (mode 'passive', https://idp.example/config.json, at 0.1 s, after the click)": time from the document's scripts starting. */
function describe(call: ObservedCall): string {
  const configs = call.identity?.providers.map((p) => p.configURL ?? '(no configURL)').join(', ');
  const parts = [`mode '${call.identity?.mode ?? 'passive'}'`, ...(configs ? [configs] : []), `at ${(call.atMs / 1000).toFixed(1)} s`];
  if (call.afterClick) parts.push('after the click');
  return `get() #${call.n} (${parts.join(', ')})`;
}
