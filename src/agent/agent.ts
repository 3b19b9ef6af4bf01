// The agent: a headless browser for the Credential Management API and FedCM. It owns the network
// layer, the profile, the dialogs and the pages; pages reach these through AgentCore.

import type { AbortLike } from './base/abort-state.js';
import { systemClock, type Clock, type Random } from './base/clock.js';
import { formatDiagnostic, type Diagnostic, type DiagnosticInit } from './base/diagnostics.js';
import { Events } from './base/events.js';
import { RingBuffer } from './base/ring-buffer.js';
import type { AgentCore, CoreEventMap } from './core.js';
import { Automation } from './mediation/automation.js';
import { DialogHost } from './mediation/dialog-host.js';
import type { Mediator } from './mediation/mediator.js';
import type { PopupPurpose } from './mediation/popup-window.js';
import { Cookies } from './net/cookies.js';
import { Fetcher, MAX_TIMEOUT_MS } from './net/fetcher.js';
import { parseHandlers, type InProcessHandlers } from './net/in-process.js';
import { IdpProbe } from './fedcm/probe.js';
import { Frame, type FrameOptions } from './window/frame.js';
import { Popup, type PopupHost } from './window/popup.js';
import { MemoryProfile, type Profile } from './profile/profile.js';
import { SmsInbox, type SmsOptions } from './sms/sms-inbox.js';
import { ObservedProfile } from './profile/observed-profile.js';
import { SqliteProfile } from './profile/sqlite-profile.js';
import { createWebAuthn, MemoryWebAuthnStore, type WebAuthn, type WebAuthnOptions } from './webauthn/index.js';
import type { Store as CookieStore } from 'tough-cookie';
import { siteOf } from '../common/site.js';

export interface AgentOptions {
  /**
   * Host mapping like Chromium's --host-resolver-rules, e.g.
   * `{ '*.example:443': '127.0.0.1:8443' }` or `'MAP *.example:443 127.0.0.1:8443'`.
   */
  hostRules?: Record<string, string> | string;
  /** Extra trusted root certificates (PEM), added to Node's bundled roots. */
  ca?: string | string[];
  /** Accept any TLS certificate. For tests only; prefer `ca`. */
  insecureTLS?: boolean;
  /** Timeout of each network request, ms (default 30000; Chromium sets none on FedCM fetches). */
  timeoutMs?: number;
  /**
   * Origins answered in-process, without TCP or TLS: each request for one of these exact origins
   * (`'https://idp.example'`; `'https://idp.example:8443'` is another origin) goes to its fetch
   * handler, `(request: Request, info: { remoteAddress }) => Response | Promise<Response>`, such as
   * fedkit's `createIdp(…)`, the reference RP's `fetch`, or a Hono app's `fetch`. Everything above
   * the transport is unchanged: the handler receives the request a server would (Host, Cookie,
   * Origin, Sec-Fetch-*, Connection, Content-Length), and CORS, redirects, limits, timeouts,
   * cookies and diagnostics apply to its answer as to one from the network. A handler that throws
   * fails the request as a reset connection would. Other origins still go over the network
   * (`hostRules`, `ca`). See docs/agent.md "In-process handlers".
   * @throws TypeError from createAgent for a key that is not a bare http(s) origin, or a value that is not a function.
   */
  handlers?: InProcessHandlers;
  /**
   * The network time one FedCM call (`navigator.credentials.get({ identity })`, and
   * `IdentityCredential.disconnect()` / `IdentityProvider.getUserInfo()`) may spend on IdP
   * requests, in ms (default 60000). Per-request timeouts (`timeoutMs`) add up over the steps;
   * this bounds their total: each IdP request's timeout is the smaller of `timeoutMs` and what is
   * left, and when nothing is left the call fails as a network failure at that step does (the
   * page gets NetworkError "Error retrieving a token."), with a `NetworkBudgetExhausted`
   * diagnostic. Only time with an IdP request in flight counts: the account chooser, login and
   * continuation popups and the rejection delay do not. A positive number; `Infinity` sets no
   * overall deadline (Chromium's behaviour).
   * @throws TypeError from createAgent for any other value.
   */
  fedcmNetworkBudgetMs?: number;
  /** The User-Agent header (default `fedkit/<version>`). */
  userAgent?: string;
  /**
   * Who answers dialogs. Without one, dialogs wait for `agent.automation` (as a browser under
   * WebDriver does), and the rejection delay is off by default.
   */
  mediator?: Mediator;
  /** The random rejection delay on failures (default: on with a mediator, off without). */
  rejectionDelay?: boolean;
  /** The clock (tests pass a ManualClock). */
  clock?: Clock;
  /** Uniform random source in [0, 1) (default Math.random). */
  random?: Random;
  /**
   * Where state lives (default: in memory). A path opens (or creates, mode 0600) a SQLite profile
   * holding the cookies too, which the agent closes on `close()`; a Profile object stays the
   * caller's to close (a SqliteProfile's cookie store is used for the cookies).
   */
  profile?: Profile | string;
  /**
   * Where the agent's cookies live, as a tough-cookie Store (e.g. one backed by a real browser's
   * jar, as fedkit/playwright does). Default: the SQLite profile's store, or memory.
   */
  cookieStore?: CookieStore;
  /**
   * Runs what happens inside the IdP's popups (login page, continuation page). Without one, a
   * popup stays open for code listening to the `popup` event (`agent.on('popup', …)`).
   */
  popupHost?: PopupHost;
  /**
   * The agent's phone for WebOTP: a source of SMS messages, the loopback HTTP endpoint, the wait
   * timeout. `agent.sms.receive(text)` works without any of them.
   */
  sms?: SmsOptions;
  /**
   * WebAuthn (`navigator.credentials.create/get({ publicKey })`): the default authenticator, the
   * prompts that answer for the user (`userPresence`, `chooseCredential`, `conditionalUi`), … See
   * docs/webauthn.md. `store` defaults to the profile's when it is a SQLite profile (passkeys then
   * persist with it), else to memory.
   */
  webauthn?: WebAuthnOptions;
  /**
   * How many diagnostics `agent.diagnostics` keeps (default 1000): the most recent ones, the
   * oldest dropped first. A positive integer, or `Infinity` to keep every one (memory then grows
   * with every failure). The `diagnostic` event sees every diagnostic either way.
   * @throws TypeError from createAgent for any other value.
   */
  diagnosticsLimit?: number;
  /** Switches between Chromium's behaviour (the default) and the spec's where they differ. */
  compat?: {
    /**
     * Fail, as the spec and WPT do, when a config with client_metadata_endpoint has a
     * well-known file without accounts_endpoint and login_url (Chromium 156 only warns).
     */
    strictWellKnown?: boolean;
  };
}

/** The agent's events: the algorithms' (core.ts) and the agent's own `popup`. */
export interface AgentEventMap extends CoreEventMap {
  /** The agent opened an IdP popup (login or continuation page); drive it through `popup.frame`. */
  popup: [popup: Popup];
}

/** The network budget of one FedCM call unless `fedcmNetworkBudgetMs` says otherwise, ms. */
export const DEFAULT_FEDCM_NETWORK_BUDGET_MS = 60_000;
/** How many diagnostics `agent.diagnostics` keeps unless `diagnosticsLimit` says otherwise. */
export const DEFAULT_DIAGNOSTICS_LIMIT = 1000;

/**
 * Checks the options whose wrong values would otherwise fail later, far from the mistake.
 * Runs before anything is opened, so a refused option leaves nothing behind.
 */
function validateOptions(options: AgentOptions): void {
  if (options.handlers !== undefined) parseHandlers(options.handlers, 'createAgent');
  const budget = options.fedcmNetworkBudgetMs;
  // NaN fails `> 0` too; Infinity passes (no overall deadline).
  if (budget !== undefined && !(typeof budget === 'number' && budget > 0)) {
    throw new TypeError(`createAgent: fedcmNetworkBudgetMs must be a positive number of milliseconds, or Infinity for no overall deadline, got ${describe(budget)}.`);
  }
  const timeoutMs = options.timeoutMs;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new TypeError(`createAgent: timeoutMs must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS} (about 24 days, Node's longest timer), got ${describe(timeoutMs)}.`);
  }
  const limit = options.diagnosticsLimit;
  if (limit !== undefined && !(limit === Infinity || (Number.isInteger(limit) && limit > 0))) {
    throw new TypeError(`createAgent: diagnosticsLimit must be a positive integer or Infinity (keep every diagnostic), got ${describe(limit)}.`);
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export class Agent {
  /** The WebDriver-style FedCM automation commands. */
  readonly automation: Automation;
  readonly profile: Profile;
  readonly cookies: Cookies;
  /** The phone WebOTP reads SMS messages from: `receive(text)`, `listen()` for an HTTP endpoint. */
  readonly sms: SmsInbox;
  /**
   * WebAuthn: the authenticators behind `navigator.credentials.create/get({ publicKey })`, their
   * WebDriver-style automation (`webauthn.automation.addVirtualAuthenticator(…)`, …) and the
   * agent's `PublicKeyCredential` interface object (docs/webauthn.md).
   */
  readonly webauthn: WebAuthn;
  /**
   * The most recent diagnostics (at most `diagnosticsLimit`, default 1000), oldest first: a
   * snapshot, so keep the array you read and read again for newer ones.
   */
  get diagnostics(): readonly Diagnostic[] {
    return this.#diagnostics.toArray();
  }

  readonly #diagnostics: RingBuffer<Diagnostic>;

  readonly #core: AgentCore;
  readonly #events = new Events<AgentEventMap>();
  readonly #pages = new Set<Frame>();
  /** The IdP popups that are open (their frames are in #pages too). */
  readonly #popups = new Set<Popup>();
  /** Aborts when close() starts: ends the agent's requests and waits that nothing else ends. */
  readonly #lifetime = new AbortController();
  /** The one shutdown, so that close() can be called again (it resolves when the first does). */
  #closing: Promise<void> | undefined;
  /** The SQLite profile the agent opened from a path, and so closes. */
  readonly #ownedProfile: SqliteProfile | undefined;

  constructor(options: AgentOptions = {}) {
    validateOptions(options);
    this.#diagnostics = new RingBuffer(options.diagnosticsLimit ?? DEFAULT_DIAGNOSTICS_LIMIT);
    this.#ownedProfile = typeof options.profile === 'string' ? SqliteProfile.open(options.profile) : undefined;
    this.profile = this.#ownedProfile ?? (typeof options.profile === 'object' ? options.profile : new MemoryProfile());
    const cookieStore = options.cookieStore ?? (this.profile instanceof SqliteProfile ? this.profile.cookieStore : undefined);
    this.cookies = new Cookies(cookieStore === undefined ? {} : { store: cookieStore });
    // Each request also ends when the agent closes (FetcherOptions.closed).
    const fetcher = new Fetcher({
      cookies: this.cookies,
      ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
      ...(options.hostRules === undefined ? {} : { hostRules: options.hostRules }),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.insecureTLS === undefined ? {} : { insecureTLS: options.insecureTLS }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.handlers === undefined ? {} : { handlers: options.handlers }),
      closed: this.#lifetime.signal,
    });
    const dialogs = new DialogHost(this.#events, options.mediator);
    const settings = {
      delayEnabled: options.rejectionDelay ?? options.mediator !== undefined,
      strictWellKnown: options.compat?.strictWellKnown ?? false,
      fedcmNetworkBudgetMs: options.fedcmNetworkBudgetMs ?? DEFAULT_FEDCM_NETWORK_BUDGET_MS,
    };
    const diagnostics = this.#diagnostics;
    const events = this.#events;
    const report = (init: DiagnosticInit): void => {
      // Completed in place, not copied: a rejection's `cause` is the very object the agent
      // reported (agent.diagnostics), which tools compare by identity.
      init.issue ??= null;
      const d = init as Diagnostic;
      diagnostics.push(d);
      events.emit('diagnostic', d);
    };
    this.sms = new SmsInbox(report, options.sms);
    this.#core = {
      fetcher,
      // Every login status set is announced: login popups wait for it.
      profile: new ObservedProfile(this.profile, (origin, status) => events.emit('loginStatus', { origin, status })),
      events,
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      dialogs,
      settings,
      openPopup: (purpose, url, popupOptions) => this.#openPopup(purpose, url, options.popupHost, popupOptions?.signal),
      sms: this.sms,
      report,
    };
    // Registered for this core: the container's "public-key" entry and every Frame find it
    // (webAuthnFor(ctx.core)). With a new SQLite profile this writes the default authenticator.
    try {
      this.webauthn = createWebAuthn(this.#core, {
        ...options.webauthn,
        store: options.webauthn?.store ?? (this.profile instanceof SqliteProfile ? this.profile.webauthnStore : new MemoryWebAuthnStore()),
      });
    } catch (e) {
      this.#ownedProfile?.close();
      throw e;
    }
    this.automation = new Automation(dialogs, events, {
      get delayEnabled() {
        return settings.delayEnabled;
      },
      set delayEnabled(v: boolean) {
        settings.delayEnabled = v;
      },
      // WebDriver resetcooldown (Chromium RemoveEmbargoAndResetCounts for the page's site).
      resetCooldown: () => {
        for (const page of this.#pages) this.#core.profile.setDismissEmbargo(siteOf(page.origin), undefined);
      },
      closed: this.#lifetime.signal,
    });
  }

  /**
   * Opens a top-level page: navigates to `url` (cookies, Set-Login and redirects handled as a
   * browser does) and returns its document. With `{ load: false }` no request is made.
   */
  async open(url: string | URL, options: Pick<FrameOptions, 'load'> = {}): Promise<Frame> {
    this.#throwIfClosed();
    const page = new Frame(this.#core, new URL(url), null);
    if (options.load !== false) await page.load();
    // close() ran while the page loaded: it is not the agent's any more.
    if (this.#lifetime.signal.aborted) {
      page.close();
      this.#throwIfClosed();
    }
    this.#pages.add(page);
    // A closed page is the caller's to drop: the agent must not keep it (and its DOM) alive.
    page.lifetime.addEventListener('abort', () => this.#pages.delete(page), { once: true });
    return page;
  }

  /**
   * The FedCM steps one at a time, for a document at `rpUrl` (not loaded): each makes the
   * requests Chromium makes at that step and says what it found. For tools that check an IdP
   * (fedkit doctor); a page's sign-in is `navigator.credentials.get()`.
   */
  async probe(rpUrl: string | URL): Promise<IdpProbe> {
    return new IdpProbe(this.#core, await this.open(rpUrl, { load: false }));
  }

  #throwIfClosed(): void {
    if (this.#lifetime.signal.aborted) throw new DOMException('The agent is closed.', 'InvalidStateError');
  }

  async #openPopup(purpose: PopupPurpose, url: URL, host: PopupHost | undefined, signal?: AbortLike): Promise<Popup> {
    this.#throwIfClosed();
    const frame = new Frame(this.#core, url, null);
    const popup: Popup = new Popup(purpose, frame, async (target, { load, ...init }) => {
      const next = new Frame(this.#core, target, null);
      next.popup = popup;
      this.#pages.add(next);
      void popup.result.then(() => this.#pages.delete(next));
      if (load !== false) await next.load(init);
      return next;
    });
    frame.popup = popup;
    this.#pages.add(frame);
    this.#popups.add(popup);
    void popup.result.then(() => {
      this.#pages.delete(frame);
      this.#popups.delete(popup);
    });
    // The request ended while the document loads: close the popup, which aborts the load.
    const onAbort = (): void => popup.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (!host?.loadsDocuments) await frame.load();
    } catch (e) {
      // The request ended, or closing the agent aborted the load: nothing went wrong at the IdP.
      if (signal?.aborted === true || this.#lifetime.signal.aborted) {
        popup.close();
        return popup;
      }
      this.#core.report({
        reason: purpose === 'continuation' ? 'ContinuationPopupClosedByUser' : 'LoginPopupClosedWithoutSignin',
        level: 'error',
        message: `The ${purpose} popup could not be loaded.`,
        detail: `${url.href}: ${e instanceof Error ? e.message : String(e)}`,
        url: url.href,
      });
      popup.close();
      return popup;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (popup.closed) return popup;
    this.#events.emit('popup', popup);
    if (host) {
      Promise.resolve()
        .then(() => host.show(popup))
        .catch((e: unknown) => {
          this.#core.report({
            reason: 'InvalidRequest',
            level: 'error',
            message: 'The popup host failed.',
            detail: `${url.href}: ${e instanceof Error ? e.message : String(e)}`,
            url: url.href,
          });
          popup.close();
        });
    }
    return popup;
  }

  on<K extends keyof AgentEventMap & string>(event: K, listener: (...args: AgentEventMap[K]) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  off<K extends keyof AgentEventMap & string>(event: K, listener: (...args: AgentEventMap[K]) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  once<K extends keyof AgentEventMap & string>(event: K, listener: (...args: AgentEventMap[K]) => void): this {
    this.#events.once(event, listener);
    return this;
  }

  /**
   * Ends everything the agent does: pending requests reject (a FedCM `get()` with its
   * document's AbortError), requests in flight are aborted, popups and pages close, pending
   * `automation.waitForDialog()` calls reject, and the connections, the SMS endpoint and a
   * profile opened from a path are closed. No timer, socket or listener of the agent is left.
   * Calling it again resolves once the first call has finished; the agent cannot be used after.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    // Pages first, so that a pending request ends as its document going away ends it (not as a
    // network failure of the fetch the next step aborts).
    for (const page of [...this.#pages]) page.close();
    this.#pages.clear();
    for (const popup of [...this.#popups]) popup.close();
    this.#popups.clear();
    this.#lifetime.abort(new DOMException('The agent was closed.', 'AbortError'));
    try {
      await this.#core.fetcher.close();
    } finally {
      try {
        await this.sms.close();
      } finally {
        this.#ownedProfile?.close();
      }
    }
  }
}

export function createAgent(options: AgentOptions = {}): Agent {
  return new Agent(options);
}

export { formatDiagnostic };
