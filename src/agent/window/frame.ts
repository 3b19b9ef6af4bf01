// Documents the agent has open: a top-level page and its iframes. Each has an origin, a
// secure-context flag, user activation, a permissions policy and its own `navigator`, so that
// the Credential Management and FedCM checks that depend on the calling document run as in a
// browser. Documents do not run scripts here; callers act on their behalf.

import { isPotentiallyTrustworthy, serializeOrigin } from '../../common/site.js';
import type { AgentCore } from '../core.js';
import { CredentialsContainer } from '../credentials/container.js';
import { parseHTMLDocument } from '../credentials/forms.js';
import { federatedCredentialInterface, passwordCredentialInterface, type FederatedCredentialConstructor, type PasswordCredentialConstructor } from '../credentials/interface-objects.js';
import { OTPCredential } from '../otp/otp-credential.js';
import { disconnect } from '../fedcm/disconnect.js';
import { IdentityProvider } from '../fedcm/identity-provider.js';
import { processSetLogin } from '../login-status/login-status.js';
import { NavigatorLogin } from '../login-status/navigator-login.js';
import type { PublicKeyCredential } from '../webauthn/credential.js';
import { webAuthnFor } from '../webauthn/index.js';
import type { AgentRequest, ResponseHop } from '../net/types.js';
import { checkCors, checkPreflight, needsPreflight, unsafeRequestHeaders } from '../net/cors.js';
import { consoleMessage, type DiagnosticInit } from '../base/diagnostics.js';
import { sandboxesOrigin } from '../document/csp.js';
import type { PopupWindow } from '../mediation/popup-window.js';
import { TRANSIENT_ACTIVATION_MS, type AgentDocument, type DocumentFetchInit, type DocumentResponse, type NavigationInit, type PendingIdentityRequest } from '../document/document.js';
import { documentFeatureEnabled, inheritedFeatureEnabled, parseAllowAttribute, parsePermissionsPolicyHeader, type Allowlist, type PolicyFeature } from '../document/permissions-policy.js';


export interface FrameOptions {
  /** The iframe's `allow` attribute, e.g. "identity-credentials-get". */
  allow?: string;
  /** A sandboxed iframe (without allow-same-origin) gets an opaque origin. */
  sandbox?: boolean;
  /** Fetch the document (default true). With false the frame is created at the URL without a request. */
  load?: boolean;
}

export interface Navigator {
  /** Absent outside secure contexts, as in browsers ([SecureContext]). */
  readonly credentials: CredentialsContainer | undefined;
  readonly login: NavigatorLogin | undefined;
  readonly userActivation: { readonly isActive: boolean; readonly hasBeenActive: boolean };
}

/** The popup a top-level document is shown in, as the document sees it (window/popup.ts implements it). */
export interface FramePopup extends PopupWindow {
  /** Navigates the popup to its next document (a link, a form post, a script). */
  navigate(url: string | URL, init?: NavigationInit): Promise<Frame>;
}

/**
 * The Accept header of Chromium's document requests (frames and top-level pages alike:
 * content/common/content_constants_internal kFrameAcceptHeaderValue with image/jxl, as Chromium
 * 156 sends it; the differential goldens record it for every popup navigation).
 */
export const DOCUMENT_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/jxl,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';

export class Frame implements AgentDocument {
  readonly parent: Frame | null;
  readonly top: Frame;
  readonly navigator: Navigator;
  /** The response the document was loaded from (absent with `load: false`). */
  response: DocumentResponse | undefined;
  /** The page's `IdentityProvider` interface (FedCM §2.4): close(), resolve(), getUserInfo(). Absent outside secure contexts. */
  readonly IdentityProvider: IdentityProvider | undefined;
  /** The page's `IdentityCredential` interface statics (FedCM §2.2.2): disconnect(). Absent outside secure contexts. */
  readonly IdentityCredential: { disconnect(options: { configURL: string; clientId: string; accountHint: string }): Promise<void> } | undefined;
  /**
   * The page's `PasswordCredential` interface (Credential Management §3.2), bound to this
   * document's origin: `new frame.PasswordCredential(data or form)`. Absent outside secure contexts.
   */
  readonly PasswordCredential: PasswordCredentialConstructor | undefined;
  /** The page's `FederatedCredential` interface (CM §4.1), bound to this document's origin. */
  readonly FederatedCredential: FederatedCredentialConstructor | undefined;
  /** The page's `OTPCredential` interface (WebOTP; no constructor: for `instanceof`). */
  readonly OTPCredential: typeof OTPCredential | undefined;
  /**
   * The page's `PublicKeyCredential` interface (WebAuthn §5.1): the agent's own
   * (`agent.webauthn.PublicKeyCredential`), whose statics answer for the agent's authenticators.
   * Absent outside secure contexts.
   */
  readonly PublicKeyCredential: typeof PublicKeyCredential | undefined;
  /** @internal Set when this top-level document is a FedCM popup. */
  popup: FramePopup | undefined;

  /** @internal Credential Management "active credential types" of this document's settings. */
  readonly activeCredentialTypes = new Set<string>();
  /** @internal Aborts when the document closes: requests waiting on the user or the phone end with it. */
  readonly lifetime: AbortSignal;
  /** @internal The pending FedCM request of this document, for active-mode replacement. */
  pendingIdentityRequest: PendingIdentityRequest | null = null;

  readonly #core: AgentCore;
  readonly #children = new Set<Frame>();
  #sandbox: boolean;
  #url!: URL;
  #origin!: string;
  #secure!: boolean;
  readonly #policy: (feature: PolicyFeature) => boolean;
  #detached = false;
  readonly #lifetime = new AbortController();
  #dom: { response: DocumentResponse | undefined; document: Document } | undefined;
  #activatedAt: number | undefined;
  #hasBeenActive = false;

  /** @internal Use agent.open() and frame.openFrame(). */
  constructor(core: AgentCore, url: URL, parent: Frame | null, options: FrameOptions = {}) {
    this.#core = core;
    this.lifetime = this.#lifetime.signal;
    this.parent = parent;
    this.top = parent ? parent.top : this;
    this.#sandbox = options.sandbox === true;
    this.#setUrl(url);
    // Each document's own Permissions-Policy header (its declared policy) applies to it and
    // bounds what its iframes inherit; read when asked, as the response is set once loaded.
    const declared = (doc: Frame): Map<string, Allowlist> => parsePermissionsPolicyHeader(doc.response?.headers.get('permissions-policy'), doc.origin);
    if (parent) {
      const container = parseAllowAttribute(options.allow ?? '', parent.origin, serializeOrigin(url));
      const cache = new Map<PolicyFeature, boolean>();
      this.#policy = (f) => {
        let v = cache.get(f);
        if (v === undefined) {
          const parentPolicy = { enabled: (g: PolicyFeature) => parent.allowsFeature(g), origin: parent.origin, declared: declared(parent) };
          v = inheritedFeatureEnabled(f, parentPolicy, container, this.origin, serializeOrigin(this.url));
          cache.set(f, v);
        }
        return documentFeatureEnabled(f, v, declared(this), this.origin);
      };
    } else {
      this.#policy = (f) => documentFeatureEnabled(f, true, declared(this), this.origin);
    }
    const credentials = this.isSecureContext ? new CredentialsContainer(core, this) : undefined;
    this.IdentityProvider = this.isSecureContext ? new IdentityProvider(core, this) : undefined;
    this.IdentityCredential = this.isSecureContext ? { disconnect: (options) => disconnect(core, this, options) } : undefined;
    const login = this.isSecureContext ? new NavigatorLogin(core, this) : undefined;
    this.PasswordCredential = this.isSecureContext ? passwordCredentialInterface(this) : undefined;
    this.FederatedCredential = this.isSecureContext ? federatedCredentialInterface(this) : undefined;
    this.OTPCredential = this.isSecureContext ? OTPCredential : undefined;
    this.PublicKeyCredential = this.isSecureContext ? webAuthnFor(core).PublicKeyCredential : undefined;
    const isActive = (): boolean => this.hasTransientActivation;
    const hasBeenActive = (): boolean => this.#hasBeenActive;
    this.navigator = {
      credentials,
      login,
      userActivation: {
        get isActive() {
          return isActive();
        },
        get hasBeenActive() {
          return hasBeenActive();
        },
      },
    };
  }

  /** The document's URL (after any redirects of the navigation that loaded it). */
  get url(): URL {
    return this.#url;
  }

  /** Serialized origin; "null" when opaque (sandboxed, data:). */
  get origin(): string {
    return this.#origin;
  }

  /**
   * HTML "secure context": every ancestor is one, and this document's URL is potentially
   * trustworthy (data: documents have an opaque origin and are not, WPT credentialscontainer-frame-basics).
   */
  get isSecureContext(): boolean {
    return this.#secure;
  }

  #setUrl(url: URL): void {
    this.#url = url;
    this.#origin = this.#sandbox || url.protocol === 'data:' ? 'null' : serializeOrigin(url);
    this.#secure = (this.parent?.isSecureContext ?? true) && url.protocol !== 'data:' && isPotentiallyTrustworthy(url);
  }

  /**
   * The document's DOM, parsed with jsdom (on first use) from the HTML it was loaded from; empty
   * for `load: false`. No scripts run and nothing is fetched. Its forms are what
   * `new frame.PasswordCredential(form)` reads; `document.createElement('form')` works too.
   */
  get document(): Document {
    if (this.#dom?.response !== this.response) this.#dom = undefined;
    this.#dom ??= { response: this.response, document: parseHTMLDocument(this.response?.body ?? '', this.url.href) };
    return this.#dom.document;
  }

  /** The document's forms (`document.forms`), in tree order. */
  forms(): HTMLFormElement[] {
    return Array.from(this.document.forms);
  }

  /** Whether the document is fully active: not closed or removed, and its parent fully active. */
  get fullyActive(): boolean {
    return !this.#detached && (this.parent === null || this.parent.fullyActive);
  }

  /** Origins of the ancestors, nearest first. */
  get ancestorOrigins(): string[] {
    const out: string[] = [];
    for (let f = this.parent; f; f = f.parent) out.push(f.origin);
    return out;
  }

  get children(): Frame[] {
    return [...this.#children];
  }

  /**
   * `document.cookie`: this document's non-HttpOnly cookies, read and written synchronously in
   * the agent's jar. Opaque-origin documents have none (HTML: the getter returns "").
   */
  get cookie(): string {
    return this.origin === 'null' ? '' : this.#core.fetcher.cookies.documentCookie(this.url);
  }

  set cookie(value: string) {
    if (this.origin !== 'null') this.#core.fetcher.cookies.setDocumentCookie(this.url, String(value));
  }

  /** Whether the permissions policy allows `feature` in this document. */
  allowsFeature(feature: PolicyFeature): boolean {
    return this.#policy(feature);
  }

  /** Simulates a user click in this document: transient activation for 5 s (HTML §6.4). */
  activate(): void {
    this.#activatedAt = this.#core.clock.now();
    this.#hasBeenActive = true;
  }

  get hasTransientActivation(): boolean {
    return this.#activatedAt !== undefined && this.#core.clock.now() - this.#activatedAt < TRANSIENT_ACTIVATION_MS;
  }

  /** HTML "consume user activation" (popups consume it). */
  consumeActivation(): void {
    this.#activatedAt = undefined;
  }

  /** Creates an iframe in this document and loads it. */
  async openFrame(url: string | URL, options: FrameOptions = {}): Promise<Frame> {
    if (!this.fullyActive) throw new DOMException('The document is not fully active.', 'InvalidStateError');
    const target = new URL(url, this.url);
    const frame = new Frame(this.#core, target, this, options);
    if (options.load !== false && target.protocol !== 'data:') await frame.load();
    this.#children.add(frame);
    return frame;
  }

  /**
   * Makes this document fetch a subresource (like `fetch()` from its scripts). `Set-Login` on the
   * response is applied with the Login Status rules for subresources.
   */
  async fetch(
    url: string | URL,
    init: DocumentFetchInit = {},
  ): Promise<DocumentResponse> {
    const target = new URL(url, this.url);
    const sameOrigin = serializeOrigin(target) === this.origin;
    const method = init.method ?? 'GET';
    const credentials = init.credentials ?? 'same-origin';
    const credentialsMode = credentials === 'include' || (credentials === 'same-origin' && sameOrigin) ? 'include' : 'omit';
    const pageHeaders = lower(init.headers ?? {});
    const headers: Record<string, string> = { accept: '*/*', ...pageHeaders };
    if (!sameOrigin || method !== 'GET') headers['origin'] = this.origin;
    const common = { initiator: this.origin, siteForCookies: this.top.url, destination: 'empty', onResponse: (hop: ResponseHop) => this.#applySetLogin(hop, false) } as const;
    // Fetch §4.8: a cross-origin request that is not "simple" is asked about first (preflight).
    if (!sameOrigin && needsPreflight(method, pageHeaders)) {
      const unsafe = unsafeRequestHeaders(pageHeaders);
      const preflight = await this.#core.fetcher.fetch({
        ...common,
        url: target,
        method: 'OPTIONS',
        headers: { accept: '*/*', origin: this.origin },
        agentHeaders: { 'access-control-request-method': method, ...(unsafe.length > 0 ? { 'access-control-request-headers': unsafe.join(',') } : {}) },
        credentials: 'omit',
        mode: 'cors',
        redirect: 'error',
      });
      const allowed = checkPreflight(preflight, this.origin, credentialsMode, method, unsafe);
      if (!allowed.ok) throw this.#corsFailure(target, allowed.message);
    }
    // One literal, no spreads: V8 builds a spread of conditional parts on its slow path, which
    // profiles of page fetches in a loop put at a sixth of the call.
    const request: AgentRequest = {
      initiator: common.initiator,
      siteForCookies: common.siteForCookies,
      destination: common.destination,
      onResponse: common.onResponse,
      url: target,
      method,
      headers,
      credentials: credentialsMode,
      mode: sameOrigin ? 'same-origin' : 'cors',
      redirect: 'follow',
    };
    if (init.body !== undefined) request.body = init.body;
    const res = await this.#core.fetcher.fetch(request);
    // Fetch §4.9: a cross-origin response reaches the page only if it passes the CORS check.
    if (!sameOrigin) {
      const cors = checkCors(res, this.origin, credentialsMode);
      if (!cors.ok) throw this.#corsFailure(target, cors.message);
    }
    return { status: res.status, headers: res.headers, body: new TextDecoder().decode(res.body) };
  }

  /** What a page sees when CORS blocks a read: TypeError "Failed to fetch"; the diagnostic says why. */
  #corsFailure(url: URL, why: string): TypeError {
    const diagnostic: DiagnosticInit = {
      reason: 'CorsError',
      level: 'error',
      message: consoleMessage.CorsError,
      detail: `${this.origin} may not read ${url.href}: ${why}.`,
      url: url.href,
    };
    this.#core.report(diagnostic);
    return new TypeError('Failed to fetch', { cause: diagnostic });
  }

  /** Removes this frame (an iframe) or closes this page: it is no longer fully active. */
  close(): void {
    this.#detached = true;
    for (const child of this.#children) child.close();
    if (this.parent) this.parent.#children.delete(this);
    // Requests waiting on the user or the network end through the lifetime signal (a pending
    // FedCM request with the AbortError below, reported as Canceled).
    this.#lifetime.abort(new DOMException('The document is no longer fully active.', 'AbortError'));
  }

  /**
   * @internal Navigates this frame to its URL (the document request). `init` describes a form
   * submission (POST with a body) or a navigation started by a document (`initiator`).
   */
  async load(init: NavigationInit = {}): Promise<void> {
    const isTop = this.parent === null;
    const method = init.method ?? 'GET';
    const headers: Record<string, string> = { accept: DOCUMENT_ACCEPT };
    const initiator = init.initiator ?? (isTop ? 'user' : this.parent.origin);
    // Fetch Metadata §2.5 Sec-Fetch-User: navigations the user started. Chromium counts every
    // browser-initiated one (a typed URL, agent.open(), the FedCM login, continue_on and error
    // popups it opens and what the user does in them: the differential goldens show `?1` there).
    const userActivated = initiator === 'user' || init.userActivated === true;
    if (init.contentType !== undefined) headers['content-type'] = init.contentType;
    if (method === 'POST' && init.initiator !== undefined) headers['origin'] = init.initiator;
    const req: AgentRequest = {
      url: this.url,
      method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      credentials: 'include',
      initiator,
      siteForCookies: this.top.url,
      topLevelNavigation: isTop,
      userActivated,
      mode: 'navigate',
      destination: isTop ? 'document' : 'iframe',
      redirect: 'follow',
      onResponse: (hop) => this.#applySetLogin(hop, true),
      // A document closed while it loads (a popup whose request ended) stops loading.
      signal: this.lifetime,
    };
    const started = performance.now();
    const res = await this.#core.fetcher.fetch(req);
    this.#core.events.emit('fetch', {
      endpoint: 'navigation',
      method,
      url: this.url.href,
      status: res.status,
      durationMs: performance.now() - started,
      requestHeaders: res.requestHeaders,
    });
    // A `Content-Security-Policy: sandbox` response without allow-same-origin makes the origin opaque.
    if (sandboxesOrigin(res.headers)) this.#sandbox = true;
    this.#setUrl(res.url);
    this.response = { status: res.status, headers: res.headers, body: new TextDecoder().decode(res.body) };
  }

  /**
   * Applies the `Set-Login` header of a response that a real browser received for this document
   * (fedkit/playwright: the browser makes the requests, the agent keeps the login status).
   * `navigation: true` for the response that loaded this document, or a redirect of that
   * navigation; `false` for a subresource this document fetched. The agent's own loads and
   * fetches apply the header themselves. Login Status §"process the Set-Login header", with its
   * rules for navigations and for subresources (same-site with the document and its ancestors).
   */
  applySetLogin(response: { url: string | URL; headers: Headers }, options: { navigation: boolean }): void {
    this.#applySetLogin({ url: new URL(response.url), headers: response.headers }, options.navigation);
  }

  #applySetLogin(hop: Pick<ResponseHop, 'url' | 'headers'>, navigation: boolean): void {
    const diagnostic = processSetLogin(this.#core.profile, hop.headers.get('set-login'), {
      responseUrl: hop.url,
      navigation,
      clientOrigin: this.origin,
      ancestorOrigins: this.ancestorOrigins,
    });
    if (diagnostic) this.#core.report(diagnostic);
  }
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
