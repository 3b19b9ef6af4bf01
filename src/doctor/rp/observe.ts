// Running the RP page as `fedkit signin` does (src/cli/signin/page-mode.ts) and recording what
// FedCM sees of it: every navigator.credentials call with the document's state at the time of the
// call (transient activation, other pending identity requests), how each call ended, the
// problems inside the page, the dialogs and popups, and every request.
//
// The run, bounded by the deadline signal at every wait:
//   1. the page's scripts run; once it has loaded, `settleMs` have passed and it has been quiet
//      for QUIET_MS (no request, no call, no busy get() without a dialog), it has settled;
//   2. with a `click` selector: the element is clicked (a user click: transient activation), and
//      the page settles again; navigations are followed (at most MAX_NAVIGATIONS);
//   3. the dialogs are cancelled and the popups closed (the user says no: no sign-in is needed,
//      the point is the page's calls), and the calls are given `graceMs` to end.
// Dialogs stay up until step 3, as a user who has not answered yet: a click while a passive
// request shows its chooser is then exactly what Chrome sees.

import { runScripts, type Agent, type CredentialRequestEvent, type Diagnostic, type FetchRecord, type Frame, type PageScripts, type Popup } from '../../agent/index.js';
import type { DoctorRequest } from '../finding.js';
import { pause, unlessAborted } from './wait.js';

const POLL_MS = 25;
/** How long the page must be quiet before it has settled. */
const QUIET_MS = 300;
/** Navigations followed (script redirects, a sign-in link clicked). */
const MAX_NAVIGATIONS = 3;

/** One provider of an identity get(), as the page passed it. */
export interface ProviderCall {
  /** The configURL as given (parsed only when it is a string that parses). */
  configURL: string | undefined;
  /** The provider has a `nonce` member of its own (deprecated), not only `params.nonce`. */
  topLevelNonce: boolean;
}

export type CallOutcome = { kind: 'credential' } | { kind: 'null' } | { kind: 'rejected'; name: string; message: string; cause: Diagnostic | undefined };

export interface ObservedCall {
  /** 1-based, in call order over the whole run. */
  n: number;
  method: CredentialRequestEvent['method'];
  document: ObservedDocument;
  /** ms after the document's scripts started. */
  atMs: number;
  /** Made after the doctor's click. */
  afterClick: boolean;
  /** The document had transient activation when the call was made (HTML §6.4.3). */
  activation: boolean;
  /** For get() with an `identity` member: its mode (default 'passive') and providers. */
  identity: { mode: string; providers: ProviderCall[] } | undefined;
  /** The identity calls of the same document still pending when this one was made. */
  pendingAtCall: ObservedCall[];
  /** The dialogs shown while this identity call was pending. */
  dialogs: string[];
  /** Undefined while pending. */
  outcome: CallOutcome | undefined;
}

export interface IframeSeen {
  src: string;
  allow: string | null;
  sandbox: string | null;
}

export interface ObservedDocument {
  frame: Frame;
  scripts: PageScripts;
  startedAt: number;
  loadedAt: number | undefined;
  /** The iframes in the live DOM, by src/allow/sandbox. */
  iframes: Map<string, IframeSeen>;
}

export interface Observation {
  documents: ObservedDocument[];
  calls: ObservedCall[];
  /** What runScripts reported of level warning and error (script errors, failed loads). */
  problems: Diagnostic[];
  /** The agent's diagnostics. */
  diagnostics: Diagnostic[];
  requests: DoctorRequest[];
  /** The doctor's click: done, or the selector matched nothing. */
  click: { selector: string; clicked: boolean } | undefined;
  /** Set when the deadline ended the run before the page settled: what it was doing. */
  cutShort: string | undefined;
  /** Set when the run stopped following navigations. */
  navigationsStopped: string | undefined;
}

/** The agent's side of a run: requests, diagnostics, dialogs, popups and the last activity. */
export class AgentRecorder {
  readonly requests: DoctorRequest[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly popups = new Set<Popup>();
  lastActivity = performance.now();
  /** Called with each dialog type shown. */
  onDialog: (type: string) => void = () => {};

  constructor(readonly agent: Agent) {
    agent.on('fetch', (r) => this.request(r));
    agent.on('diagnostic', (d) => {
      this.diagnostics.push(d);
      this.touch();
    });
    agent.on('dialogShown', (d) => {
      this.onDialog(d.dialogType);
      this.touch();
    });
    agent.on('dialogClosed', () => this.touch());
    agent.on('popup', (p) => {
      this.popups.add(p);
      this.touch();
      void p.result.then(() => {
        this.popups.delete(p);
        this.touch();
      });
    });
  }

  touch(): void {
    this.lastActivity = performance.now();
  }

  /** Records a request: the navigation and FedCM fetches (agent events), the page's own (runScripts). */
  request(r: FetchRecord): void {
    this.touch();
    this.requests.push({
      probe: `rp page: ${r.endpoint}`,
      method: r.method,
      url: r.url,
      ...(r.status === undefined ? {} : { status: r.status }),
      ...(r.error === undefined ? {} : { error: r.error }),
      durationMs: Math.round(r.durationMs),
      ...(r.requestHeaders === undefined ? {} : { requestHeaders: r.requestHeaders }),
    });
  }
}

export interface ObserveOptions {
  click: string | undefined;
  settleMs: number;
  /** Ends the observation (the run's deadline). */
  signal: AbortSignal;
  /** How long the calls get to end once the dialogs are cancelled (not cut by `signal`). */
  graceMs: number;
  onProgress: ((step: string) => void) | undefined;
}

/** Runs `first` (a loaded, secure top-level document) and what follows it; see the file comment. */
export async function observe(recorder: AgentRecorder, first: Frame, options: ObserveOptions): Promise<Observation> {
  const { agent } = recorder;
  const { signal, settleMs } = options;
  const obs: Observation = {
    documents: [],
    calls: [],
    problems: [],
    diagnostics: recorder.diagnostics,
    requests: recorder.requests,
    click: options.click === undefined ? undefined : { selector: options.click, clicked: false },
    cutShort: undefined,
    navigationsStopped: undefined,
  };
  const pendingIdentity = (doc?: ObservedDocument): ObservedCall[] =>
    obs.calls.filter((c) => c.identity !== undefined && c.outcome === undefined && (doc === undefined || c.document === doc));
  recorder.onDialog = (type) => {
    for (const c of pendingIdentity()) c.dialogs.push(type);
  };

  const start = (frame: Frame): ObservedDocument => {
    options.onProgress?.(`running the scripts of ${frame.url.href}`);
    const doc: ObservedDocument = { frame, scripts: undefined as unknown as PageScripts, startedAt: performance.now(), loadedAt: undefined, iframes: new Map() };
    doc.scripts = runScripts(frame, {
      agent,
      report: (d) => {
        recorder.touch();
        if (d.level !== 'info') obs.problems.push(d);
      },
      onFetch: (r) => recorder.request(r),
      onNavigate: () => recorder.touch(),
      onCredentialRequest: (event) => {
        recorder.touch();
        const identity = event.method === 'get' ? identityOf(event.options) : undefined;
        const call: ObservedCall = {
          n: obs.calls.length + 1,
          method: event.method,
          document: doc,
          atMs: performance.now() - doc.startedAt,
          afterClick: obs.click?.clicked === true,
          activation: frame.hasTransientActivation,
          identity,
          pendingAtCall: identity ? pendingIdentity(doc) : [],
          dialogs: [],
          outcome: undefined,
        };
        obs.calls.push(call);
        event.result.then(
          (value) => {
            call.outcome = { kind: value ? 'credential' : 'null' };
            recorder.touch();
          },
          (e: unknown) => {
            call.outcome = rejected(e);
            recorder.touch();
          },
        );
      },
    });
    void doc.scripts.loaded.then(() => {
      doc.loadedAt = performance.now();
      recorder.touch();
    });
    obs.documents.push(doc);
    return doc;
  };

  /** Whether a get() is still being worked on (no dialog or popup waits for the user). */
  const busy = (): boolean => obs.calls.some((c) => c.outcome === undefined) && agent.automation.currentDialog === null && recorder.popups.size === 0;

  /** Until the document has settled, or starts a navigation. */
  const settle = async (doc: ObservedDocument): Promise<'settled' | 'navigated'> => {
    const begun = performance.now();
    for (;;) {
      await pause(POLL_MS, signal);
      scanIframes(doc);
      if (doc.scripts.navigated !== undefined) return 'navigated';
      if (doc.loadedAt === undefined) continue;
      const now = performance.now();
      if (now - Math.max(begun, doc.loadedAt) < settleMs || now - recorder.lastActivity < Math.min(QUIET_MS, settleMs)) continue;
      if (doc.scripts.inflight === 0 && !busy()) return 'settled';
    }
  };

  /** The click target, waiting up to `settleMs` for it to appear (rendered late by a script). */
  const findTarget = async (doc: ObservedDocument, selector: string): Promise<'found' | 'missing' | 'navigated'> => {
    const until = performance.now() + settleMs;
    for (;;) {
      if (doc.scripts.navigated !== undefined) return 'navigated';
      if (doc.scripts.document.querySelector(selector) !== null) return 'found';
      if (performance.now() >= until) return 'missing';
      await pause(POLL_MS, signal);
    }
  };

  let doc = start(first);
  let navigations = 0;
  try {
    for (;;) {
      const state = await settle(doc);
      if (state === 'navigated') {
        if (++navigations > MAX_NAVIGATIONS) {
          obs.navigationsStopped = `The page navigated more than ${MAX_NAVIGATIONS} times (the last time from ${doc.frame.url.href}); the doctor stopped following it.`;
          break;
        }
        options.onProgress?.('following a navigation');
        let next: Frame;
        try {
          next = await unlessAborted(doc.scripts.navigated!, signal);
        } catch (e) {
          if (signal.aborted) throw e;
          break; // runScripts reported the failed navigation (a problem of the page)
        }
        doc = start(next);
        continue;
      }
      if (obs.click && !obs.click.clicked) {
        const target = await findTarget(doc, obs.click.selector);
        if (target === 'navigated') continue;
        if (target === 'missing') break;
        options.onProgress?.(`clicking ${obs.click.selector}`);
        obs.click.clicked = true;
        recorder.touch();
        doc.scripts.click(obs.click.selector);
        continue;
      }
      break;
    }
  } catch (e) {
    if (!signal.aborted) throw e;
    obs.cutShort = describeActivity(obs, doc, busy());
  } finally {
    for (const d of obs.documents) scanIframes(d);
    await answerNo(recorder, obs, options.graceMs);
    for (const d of obs.documents) d.scripts.close();
  }
  return obs;
}

/** The user says no to everything until the calls have ended (or `graceMs` has passed). */
async function answerNo(recorder: AgentRecorder, obs: Observation, graceMs: number): Promise<void> {
  const { automation } = recorder.agent;
  const until = performance.now() + graceMs;
  const never = new AbortController().signal;
  for (;;) {
    if (automation.currentDialog !== null) {
      try {
        automation.cancelDialog();
      } catch {
        // The dialog closed in between.
      }
    }
    for (const p of recorder.popups) p.close();
    const open = automation.currentDialog !== null || recorder.popups.size > 0;
    if ((!open && obs.calls.every((c) => c.outcome !== undefined)) || performance.now() >= until) return;
    await pause(POLL_MS, never);
  }
}

/** Records the iframes of the document's live DOM (a closed window has none left to read). */
function scanIframes(doc: ObservedDocument): void {
  if (doc.scripts.closed) return;
  for (const el of Array.from(doc.scripts.document.querySelectorAll('iframe'))) {
    const seen: IframeSeen = { src: el.getAttribute('src') ?? '', allow: el.getAttribute('allow'), sandbox: el.getAttribute('sandbox') };
    doc.iframes.set(JSON.stringify(seen), seen);
  }
}

/** What the page was doing when the deadline came. */
function describeActivity(obs: Observation, doc: ObservedDocument, busy: boolean): string {
  if (doc.loadedAt === undefined) return `${doc.frame.url.href} had not finished loading (${doc.scripts.inflight} request(s) of the page in flight)`;
  if (busy) return `a navigator.credentials call was still being worked on, with no dialog shown`;
  if (doc.scripts.inflight > 0) return `${doc.scripts.inflight} request(s) of the page were in flight`;
  return obs.click && !obs.click.clicked ? `the page was still busy before ${obs.click.selector} could be clicked` : 'the page kept making requests or calls';
}

/** The `identity` member of get()'s options, read defensively (the page passes anything). */
function identityOf(options: unknown): ObservedCall['identity'] {
  const identity = member(options, 'identity');
  if (identity === undefined || identity === null) return undefined;
  const mode = member(identity, 'mode');
  const list = member(identity, 'providers');
  const providers: ProviderCall[] = Array.isArray(list)
    ? list.map((p: unknown) => {
        const configURL = member(p, 'configURL');
        return { configURL: typeof configURL === 'string' ? configURL : undefined, topLevelNonce: member(p, 'nonce') !== undefined };
      })
    : [];
  return { mode: typeof mode === 'string' ? mode : 'passive', providers };
}

function member(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function rejected(e: unknown): CallOutcome {
  const name = typeof e === 'object' && e !== null && 'name' in e ? String((e as Error).name) : 'Error';
  const message = typeof e === 'object' && e !== null && 'message' in e ? String((e as Error).message) : String(e);
  const cause = typeof e === 'object' && e !== null ? (e as { cause?: unknown }).cause : undefined;
  return { kind: 'rejected', name, message, cause: isDiagnostic(cause) ? cause : undefined };
}

function isDiagnostic(value: unknown): value is Diagnostic {
  return typeof value === 'object' && value !== null && typeof (value as Diagnostic).reason === 'string' && typeof (value as Diagnostic).message === 'string';
}
