// `fedkit doctor --rp <url>`: what will break FedCM on an RP page. The page is loaded with
// fedkit's agent and its scripts run as `fedkit signin` runs them (src/doctor/rp/observe.ts),
// optionally with a click on its sign-in button; every dialog is answered no, since the point is
// the page's calls, not a sign-in. Then each document, each call and each problem of the page is
// checked the way Chrome will treat it (src/doctor/rp/: document.ts, calls.ts, problems.ts), and
// the findings name what was seen and the fix. The run is bounded by `timeoutMs` as a whole, and
// the agent is closed whatever happens.

import { createAgent, type AgentOptions, type Frame } from '../agent/index.js';
import type { DoctorRequest, Finding } from './finding.js';
import { callFindings, idpFileFindings, noCallFinding } from './rp/calls.js';
import { iframeFindings, permissionsPolicyFinding, secureContextFinding } from './rp/document.js';
import { rpFinding } from './rp/findings.js';
import { AgentRecorder, observe } from './rp/observe.js';
import { scriptErrorFindings, skippedFindings } from './rp/problems.js';
import { settledWithin, unlessAborted } from './rp/wait.js';

export const DEFAULT_SETTLE_MS = 2_000;
export const DEFAULT_RP_TIMEOUT_MS = 30_000;
/** The longest a single request of the agent may take (within the run's own bound). */
const REQUEST_TIMEOUT_MS = 10_000;

export interface DoctorRpOptions {
  /** Host mapping like Chromium's --host-resolver-rules (`{ '*.example:443': '127.0.0.1:8443' }` or the MAP string). */
  hostRules?: AgentOptions['hostRules'];
  /** Extra trusted root certificates (PEM). */
  ca?: AgentOptions['ca'];
  /** Accept any TLS certificate (tests only). */
  insecureTLS?: boolean;
  /**
   * A CSS selector to click once the page has settled (a user click: transient activation), to
   * reach a button-driven sign-in. It may match an element the page's scripts render.
   */
  click?: string;
  /** How long the page is watched after it loads (and after the click) for its FedCM calls, ms (default 2000). */
  settleMs?: number;
  /** The bound of the whole run, closing the agent included, ms (default 30000). */
  timeoutMs?: number;
  /** Warnings count as failures too (for CI). */
  strict?: boolean;
  /** Called as each step starts, for a progress line. */
  onProgress?: (step: string) => void;
}

/** Everything a doctor run on an RP page found. */
export interface RpDoctorReport {
  /** No finding of level `error` (with `strict`: no `warning` either). */
  ok: boolean;
  /** The page checked, as given. */
  url: string;
  findings: Finding[];
  requests: DoctorRequest[];
}

/** Checks the RP page at `url`; see the file comment. Throws only for bad arguments. */
export async function doctorRp(url: string | URL, options: DoctorRpOptions = {}): Promise<RpDoctorReport> {
  const target = new URL(url);
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_RP_TIMEOUT_MS;
  if (!Number.isFinite(settleMs) || settleMs < 0) throw new RangeError(`settleMs must be a finite number of ms >= 0, got ${settleMs}.`);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be a finite number of ms > 0, got ${timeoutMs}.`);
  if (options.click !== undefined && options.click.trim() === '') throw new TypeError('click must be a CSS selector, got an empty string.');

  // The end of the run is kept for winding down: answering the dialogs, then closing the agent.
  const reserveMs = Math.min(2_000, timeoutMs * 0.2);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`The run reached its timeout (${timeoutMs} ms).`)), timeoutMs - reserveMs);
  const agent = createAgent({
    ...(options.hostRules === undefined ? {} : { hostRules: options.hostRules }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.insecureTLS === undefined ? {} : { insecureTLS: options.insecureTLS }),
    timeoutMs: Math.max(1, Math.min(REQUEST_TIMEOUT_MS, timeoutMs - reserveMs)),
  });
  const recorder = new AgentRecorder(agent);
  const findings: Finding[] = [];
  try {
    options.onProgress?.(`loading ${target.href}`);
    let frame: Frame;
    try {
      frame = await unlessAborted(agent.open(target), deadline.signal);
    } catch (e) {
      const why = deadline.signal.aborted ? `did not load within ${timeoutMs - reserveMs} ms` : `could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
      findings.push(rpFinding('RpPageUnreachable', `${target.href} ${why}.`, { url: target.href }));
      return report();
    }
    const status = frame.response?.status ?? 0;
    if (status < 200 || status >= 400) {
      const moved = frame.url.href === target.href ? '' : ` (after redirects, at ${frame.url.href})`;
      findings.push(rpFinding('RpPageUnreachable', `${target.href} answered ${status}${moved}, not a page.`, { url: frame.url.href }));
      return report();
    }
    const insecure = secureContextFinding(frame);
    if (insecure) {
      findings.push(insecure);
      return report();
    }
    if (options.click !== undefined) checkSelector(frame, options.click);

    const obs = await observe(recorder, frame, {
      click: options.click,
      settleMs,
      signal: deadline.signal,
      graceMs: reserveMs / 2,
      onProgress: options.onProgress,
    });
    for (const doc of obs.documents) {
      const later = doc.frame === frame ? undefined : secureContextFinding(doc.frame);
      if (later) findings.push(later);
      const policy = permissionsPolicyFinding(doc.frame);
      if (policy) findings.push(policy);
      findings.push(...iframeFindings(doc));
    }
    findings.push(...callFindings(obs), ...idpFileFindings(obs.diagnostics), ...scriptErrorFindings(obs.problems), ...skippedFindings(obs, settleMs));
    const none = noCallFinding(obs, settleMs);
    if (none) findings.push(none);
    return report();
  } finally {
    clearTimeout(timer);
    // agent.close() aborts what is in flight, so it is quick; the run still bounds the wait by
    // its reserve, as for any call into a component it does not own.
    await settledWithin(agent.close(), reserveMs / 2);
  }

  function report(): RpDoctorReport {
    const kept = distinct(findings);
    const ok = !kept.some((f) => f.level === 'error' || (options.strict === true && f.level === 'warning'));
    return { ok, url: target.href, findings: kept, requests: recorder.requests };
  }
}

/** A selector the DOM cannot parse is the caller's mistake, not the page's. */
function checkSelector(frame: Frame, selector: string): void {
  try {
    frame.document.querySelector(selector);
  } catch (e) {
    throw new TypeError(`click: ${JSON.stringify(selector)} is not a valid CSS selector (${e instanceof Error ? e.message : String(e)}).`, { cause: e });
  }
}

/** The same finding seen twice (two calls, two scans) is reported once, in first-seen order. */
function distinct(findings: readonly Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.id}\u0000${f.url ?? ''}\u0000${f.seen}`;
    if (!seen.has(key)) seen.set(key, f);
  }
  return [...seen.values()];
}
