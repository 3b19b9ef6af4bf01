// Running a document's HTML and scripts with jsdom, its world wired to the agent.
//
// The agent's documents (Frame) do not run scripts. `runScripts(frame)` runs one: jsdom builds
// the DOM and runs the classic scripts, fedkit runs the module scripts (module-scripts.ts), and
// everything the page reaches outside itself is the agent's:
//
//   - every request (scripts, module scripts and their imports, stylesheets, XHR, fetch()) goes
//     through `frame.fetch`: the agent's host rules, CA trust, cookie jar and Set-Login handling;
//   - `fetch`, `Headers`, `Request`, `Response` (jsdom has none) are provided, `Response.json()`
//     giving objects of the page's realm;
//   - `navigator.credentials` is the frame's CredentialsContainer (get, store, create,
//     preventSilentAccess), with `IdentityCredential` (and its static `disconnect`),
//     `IdentityCredentialError`, `PasswordCredential`, `FederatedCredential`, `OTPCredential`,
//     `IdentityProvider`, `navigator.login`, `navigator.userActivation` and `document.cookie`;
//   - navigations (location.assign/replace/reload, `location.href = …`, link clicks, form
//     submissions) are made by the agent, which loads the next document as a new Frame.
//
// jsdom does not navigate: it reports "Not implemented: navigation to another Document" without
// the target URL, and `location`'s methods are [LegacyUnforgeable] (non-configurable). fedkit
// therefore replaces the navigate steps on this window's own Location implementation object
// (jsdom internals, looked up defensively); if that ever fails, the "not implemented" report is
// taken as a reload of the current URL and a warning says so.

import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { format } from 'node:util';
import { Script, type Context } from 'node:vm';
import type * as Jsdom from 'jsdom';
import type { Agent } from '../agent.js';
import type { Credential } from '../credentials/contract/credential.js';
import type { Diagnostic } from '../base/diagnostics.js';
import type { FetchRecord } from '../base/events.js';
import { IdentityCredential, IdentityCredentialError } from '../fedcm/identity-credential.js';
import type { NavigationInit } from '../document/document.js';
import type { Frame } from '../window/frame.js';
import { ModuleLoader, type ModuleRecord } from './module-scripts.js';

const require = createRequire(import.meta.url);
let jsdom: typeof Jsdom | undefined;
/** jsdom takes a while to load; only callers that run pages pay for it. */
function loadJsdom(): typeof Jsdom {
  jsdom ??= require('jsdom') as typeof Jsdom;
  return jsdom;
}

export type DOMWindow = Jsdom.DOMWindow;

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'jsdomError';

/** A credential API call made by the page's scripts. */
export interface CredentialRequestEvent {
  method: 'get' | 'store' | 'create' | 'preventSilentAccess';
  /** The options as the agent received them (the credential, for store()). */
  options: unknown;
  /** The agent's answer (before it is handed to the page). */
  result: Promise<unknown>;
}

/** A navigation the page started. */
export interface NavigationEvent {
  url: URL;
  method: 'GET' | 'POST';
  /** What started it: 'location' (assign/replace/href), 'reload', 'link', 'form'. */
  cause: 'location' | 'reload' | 'link' | 'form';
  /** The next document, once loaded. */
  next: Promise<Frame>;
}

export interface RunScriptsOptions {
  /**
   * The agent the frame belongs to: top-level navigations open the next document with it
   * (`agent.open`). Popups navigate within the popup without it.
   */
  agent?: Agent;
  /** Replaces how the next document is loaded (default: the popup's navigate, or `agent.open`). */
  navigate?: (url: URL, init: NavigationInit) => Promise<Frame>;
  /** Called when the page starts a navigation. Run the next document with `runScripts` again to follow it. */
  onNavigate?: (event: NavigationEvent) => void;
  /** The page's console, and jsdom's own errors ('jsdomError'). */
  console?: (level: ConsoleLevel, message: string) => void;
  /** Problems inside the page: script errors, failed requests, unsupported features. */
  report?: (diagnostic: Diagnostic) => void;
  /** Every request the page made (scripts, modules, fetch, XHR), when it finished. */
  onFetch?: (record: FetchRecord) => void;
  /** Every call to navigator.credentials. */
  onCredentialRequest?: (event: CredentialRequestEvent) => void;
  /** What `window.close()` does (popups close themselves; top-level pages ignore it, as browsers do). */
  onWindowClose?: () => void;
  /** Names the document in diagnostics ("page", "login page"…). */
  label?: string;
}

export interface PageScripts {
  readonly frame: Frame;
  readonly window: DOMWindow;
  readonly document: Document;
  /** Resolves at the window's load event (classic, deferred and module scripts have run). */
  readonly loaded: Promise<void>;
  /** Undefined until the page navigates; then the next document, once loaded. */
  readonly navigated: Promise<Frame> | undefined;
  /** Requests the page has in flight (fetch, XHR, scripts, modules). */
  readonly inflight: number;
  readonly closed: boolean;
  /**
   * A user click on the first element matching `selector`: transient activation for the frame
   * (HTML §6.4.3), then a click event. Throws if nothing matches.
   */
  click(selector: string): void;
  /** Stops the page: timers, pending jsdom requests, event handlers. */
  close(): void;
}

/** Request headers a page must not set (Fetch §2.2.2 forbidden request-headers), plus jsdom's own defaults. */
const DROPPED_HEADERS = new Set([
  'accept-charset', 'accept-encoding', 'access-control-request-headers', 'access-control-request-method', 'connection',
  'content-length', 'cookie', 'cookie2', 'date', 'dnt', 'expect', 'host', 'keep-alive', 'origin', 'referer', 'set-cookie',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'via',
  // Set by jsdom on every request; the agent sends its own.
  'user-agent', 'accept-language',
]);

const pageHeader = (name: string): boolean => !DROPPED_HEADERS.has(name) && !name.startsWith('proxy-') && !name.startsWith('sec-');

/** Statuses whose responses have no body (Fetch "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const MODULE_BOOT = Symbol.for('fedkit.moduleScripts');

/** Runs `frame`'s loaded HTML and scripts. See the file comment for what the page can reach. */
export function runScripts(frame: Frame, options: RunScriptsOptions = {}): PageScripts {
  const { JSDOM, VirtualConsole, requestInterceptor } = loadJsdom();
  const label = options.label ?? (frame.popup ? `${frame.popup.purpose} page` : 'page');
  const report = (level: Diagnostic['level'], message: string, detail: string): void => {
    options.report?.({ reason: 'InvalidRequest', level, message, detail, url: frame.url.href });
  };
  const log = (level: ConsoleLevel, message: string): void => options.console?.(level, message);

  const state = {
    closed: false,
    inflight: 0,
    navigation: undefined as Promise<Frame> | undefined,
    window: undefined as DOMWindow | undefined,
    closeWindow: undefined as (() => void) | undefined,
  };

  // ----- Module scripts: rewritten to deferred classic scripts that start fedkit's loader.
  const prepared = prepareModuleScripts(frame.response?.body ?? '', frame.url);
  const loader = new ModuleLoader({
    fetch: async (url) => {
      const res = await subresource(url, { method: 'GET', headers: {}, credentials: 'same-origin' });
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: res.body };
    },
    evaluate: (code, filename) => {
      const w = state.window;
      if (w === undefined || state.closed) throw new Error('The document is closed.');
      // jsdom's window is the vm context its scripts run in (dom.getInternalVMContext()).
      return vmRun(code, filename, w);
    },
    importMap: prepared.importMap,
    reportError: (error, url) => uncaught(error, url),
    promise: (executor) => {
      const w = state.window;
      return w === undefined ? new Promise(executor) : (new (w.Promise as PromiseConstructor)(executor) as Promise<never>);
    },
    pageError: (e) => pageError(state.window, e),
  });
  const entries = new Map<string, ModuleEntry & { record?: Promise<ModuleRecord> }>();
  for (const entry of prepared.entries) entries.set(entry.bootURL, entry);

  const virtualConsole = new VirtualConsole();
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    virtualConsole.on(level, (...args: unknown[]) => log(level, format(...args)));
  }
  let locationHooked = false;
  virtualConsole.on('jsdomError', (error: Error & { type?: string }) => {
    if (error.type === 'not-implemented' && /navigation to another Document/.test(error.message) && !locationHooked) {
      // Only reached if the Location hook could not be installed: the target is unknown.
      report('warning', `The ${label} navigated; fedkit reloads it.`, `${frame.url.href}: jsdom gave no target URL, so the current one is loaded again.`);
      navigate(frame.url, { method: 'GET' }, 'reload');
      return;
    }
    log('jsdomError', error.message);
    if (error.type === 'not-implemented') report('info', `The ${label} used something jsdom does not implement.`, `${frame.url.href}: ${error.message}`);
    else report('warning', `The ${label} had an error.`, `${frame.url.href}: ${error.message}`);
  });

  /** A request for the page, through the agent, recorded. */
  async function subresource(
    url: URL,
    init: { method: string; headers: Record<string, string>; body?: string; credentials: 'omit' | 'same-origin' | 'include' },
  ): Promise<{ status: number; headers: Headers; body: string }> {
    const started = performance.now();
    state.inflight++;
    try {
      if (init.method !== 'GET' && init.method !== 'POST') {
        throw new TypeError(`fedkit runs page requests with GET and POST only (got ${init.method}).`);
      }
      const res = await frame.fetch(url, {
        method: init.method,
        headers: init.headers,
        ...(init.body === undefined ? {} : { body: init.body }),
        credentials: init.credentials,
      });
      options.onFetch?.({ endpoint: 'subresource', method: init.method, url: url.href, status: res.status, durationMs: performance.now() - started });
      return res;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      options.onFetch?.({ endpoint: 'subresource', method: init.method, url: url.href, durationMs: performance.now() - started, error: message });
      report('warning', `A request of the ${label} failed.`, `${init.method} ${url.href}: ${message}`);
      throw e;
    } finally {
      state.inflight--;
    }
  }

  // ----- Navigation.
  const loadNext: ((url: URL, init: NavigationInit) => Promise<Frame>) | undefined =
    options.navigate ??
    (frame.popup
      ? (url, init) => frame.popup!.navigate(url, init)
      : options.agent
        ? async (url, init) => {
            const next = await options.agent!.open(url, { load: false });
            try {
              await next.load(init);
            } catch (e) {
              next.close();
              throw e;
            }
            return next;
          }
        : undefined);

  function navigate(url: URL, init: NavigationInit, cause: NavigationEvent['cause']): void {
    if (state.closed) return;
    if (state.navigation !== undefined) {
      log('warn', `fedkit: a second navigation (${url.href}) was ignored; the first one is under way.`);
      return;
    }
    if (loadNext === undefined) {
      report('warning', `The ${label} tried to navigate.`, `${frame.url.href} → ${url.href}: pass the agent to runScripts() so that it can load the next document.`);
      return;
    }
    const method = init.method ?? 'GET';
    const next = loadNext(url, { initiator: frame.origin, ...init, method }).then((f) => {
      close();
      // A popup's navigate closes the document it replaces; a top-level page is closed here.
      if (!frame.popup) frame.close();
      return f;
    });
    next.catch((e: unknown) => {
      report('error', `The ${label} could not navigate.`, `${method} ${url.href}: ${e instanceof Error ? e.message : String(e)}`);
    });
    state.navigation = next;
    options.onNavigate?.({ url, method, cause, next });
  }

  /** Reports an uncaught error like a browser: an ErrorEvent at the window, then the console. */
  function uncaught(error: unknown, filename: string): void {
    const w = state.window;
    if (w === undefined || state.closed) return;
    const message = error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error) ? String((error as Error).message) : String(error);
    const ErrorEventCtor = w.ErrorEvent as typeof ErrorEvent;
    const event = new ErrorEventCtor('error', { cancelable: true, message, filename, error });
    w.dispatchEvent(event);
    if (event.defaultPrevented) return;
    const name = typeof error === 'object' && error !== null && 'name' in error ? String((error as Error).name) : 'Error';
    const jsdomError = Object.assign(new Error(`Uncaught [${name}: ${message}]`, { cause: error }), { type: 'unhandled-exception' });
    virtualConsole.emit('jsdomError', jsdomError);
  }

  // ----- The document.
  const pending: { resolve?: () => void } = {};
  const loaded = new Promise<void>((resolve) => {
    pending.resolve = resolve;
  });

  const dom = new JSDOM(prepared.html, {
    url: frame.url.href,
    contentType: 'text/html',
    runScripts: 'dangerously',
    pretendToBeVisual: true,
    virtualConsole,
    resources: {
      interceptors: [
        requestInterceptor(async (request, { element }) => {
          const url = new URL(request.url);
          const entry = entries.get(request.url);
          if (entry !== undefined) {
            // A module script: load its graph now, so that the deferred script that starts it
            // runs only once everything is here (module scripts are deferred, HTML §4.12.1.1).
            entry.record ??= loadEntry(entry);
            await entry.record.catch(() => undefined);
            return new Response(`globalThis[Symbol.for('fedkit.moduleScripts')](${JSON.stringify(entry.bootURL)}, document.currentScript);`, {
              headers: { 'content-type': 'text/javascript' },
            });
          }
          const tag = element?.localName;
          if (tag === 'iframe' || tag === 'frame') {
            // A nested document would run without the agent's APIs and origin checks: not run.
            report('info', `The ${label} has an iframe that fedkit does not run.`, `${url.href} (open it with frame.openFrame() to use it).`);
            return new Response('<!doctype html><title></title>', { headers: { 'content-type': 'text/html' } });
          }
          const headers: Record<string, string> = {};
          for (const [name, value] of request.headers) if (pageHeader(name)) headers[name] = value;
          const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text();
          // A rejection becomes the element's error event, or the XHR's error.
          const res = await subresource(url, {
            method: request.method,
            headers,
            ...(body === undefined ? {} : { body }),
            // Elements load no-cors with credentials; XHR without withCredentials sends them same-origin only.
            credentials: element ? 'include' : 'same-origin',
          });
          const out = new Headers(res.headers);
          out.delete('set-cookie'); // the agent's jar has them; jsdom's own jar is not used
          return new Response(NULL_BODY.has(res.status) ? null : res.body, { status: res.status, headers: out });
        }),
      ],
    },
    beforeParse(window) {
      state.window = window;
      // The page's window.close() is replaced below; fedkit closes the window with jsdom's.
      const jsdomClose = (window.close as () => void).bind(window);
      state.closeWindow = jsdomClose;
      window.addEventListener('load', () => pending.resolve?.());
      wireWindow(window, frame, {
        navigate,
        subresource,
        onCredentialRequest: options.onCredentialRequest,
        onWindowClose: options.onWindowClose,
        log,
        label,
        loader,
      });
      locationHooked = hookLocation(window, (url, reload) => navigate(url, { method: 'GET' }, reload ? 'reload' : 'location'));
      const boot = (key: string, script: HTMLScriptElement | null): void => {
        const entry = entries.get(key);
        if (entry === undefined) return;
        runEntry(entry, script);
      };
      Object.defineProperty(window, MODULE_BOOT, { value: boot, configurable: true });
      observeDynamicModuleScripts(window, loader, uncaught);
      trackRejections(window, (reason) => {
        const error = reason instanceof Error || (typeof reason === 'object' && reason !== null && 'message' in reason) ? (reason as Error) : undefined;
        const text = error ? `${error.name}: ${error.message}` : format(reason);
        virtualConsole.emit('jsdomError', Object.assign(new Error(`Uncaught (in promise) ${text}`, { cause: reason }), { type: 'unhandled-exception' }));
      });
    },
  });
  state.window = dom.window;

  function loadEntry(entry: ModuleEntry): Promise<ModuleRecord> {
    return entry.inline !== undefined ? loader.loadInline(entry.inline, entry.baseURL) : loader.loadURL(entry.src!);
  }

  /** The deferred script of a module script ran: evaluate its graph (HTML "execute the script element"). */
  function runEntry(entry: ModuleEntry & { record?: Promise<ModuleRecord> }, script: HTMLScriptElement | null): void {
    // The interceptor awaited the graph before jsdom ran this script, so it has settled.
    void entry.record?.then((record) => {
      const failure = loader.loadError(record);
      if (failure !== undefined) {
        const message = failure instanceof Error ? failure.message : String(failure);
        log('error', message);
        report('warning', `A module script of the ${label} could not load.`, message);
        const w = state.window;
        if (script && w) script.dispatchEvent(new (w.Event as typeof Event)('error'));
        return;
      }
      try {
        loader.evaluate(record)?.catch(() => {});
      } catch {
        // Already reported by the loader.
      }
    });
  }

  function close(): void {
    if (state.closed) return;
    state.closed = true;
    retire(dom.window);
    state.closeWindow?.();
  }

  return {
    frame,
    get window() {
      return dom.window;
    },
    get document() {
      return dom.window.document;
    },
    loaded,
    get navigated() {
      return state.navigation;
    },
    get inflight() {
      return state.inflight;
    },
    get closed() {
      return state.closed;
    },
    click(selector) {
      const element = dom.window.document.querySelector(selector);
      if (element === null) throw new Error(`No element matches ${selector} in ${frame.url.href}.`);
      frame.activate();
      (element as HTMLElement).click();
    },
    close,
  };
}

/** Compiles and runs `code` in the window's realm (jsdom's window is its vm context). */
function vmRun(code: string, filename: string, window: DOMWindow): unknown {
  return new Script(code, { filename }).runInContext(window as unknown as Context);
}

// ---------------------------------------------------------------------------------------------
// The page's APIs

interface WireHooks {
  navigate: (url: URL, init: NavigationInit, cause: NavigationEvent['cause']) => void;
  subresource: (
    url: URL,
    init: { method: string; headers: Record<string, string>; body?: string; credentials: 'omit' | 'same-origin' | 'include' },
  ) => Promise<{ status: number; headers: Headers; body: string }>;
  onCredentialRequest: RunScriptsOptions['onCredentialRequest'];
  onWindowClose: RunScriptsOptions['onWindowClose'];
  log: (level: ConsoleLevel, message: string) => void;
  label: string;
  loader: ModuleLoader;
}

/** An agent-side error in the page's realm: DOMException and TypeError become the page's own. */
function pageError(window: DOMWindow | undefined, e: unknown): unknown {
  if (window === undefined) return e;
  const withCause = (pe: Error, from: Error): Error => {
    if ('cause' in from) Object.defineProperty(pe, 'cause', { value: from.cause, configurable: true, writable: true });
    return pe;
  };
  if (e instanceof DOMException && e.constructor === DOMException) {
    return withCause(new (window.DOMException as typeof DOMException)(e.message, e.name), e);
  }
  if (e instanceof TypeError && e.constructor === TypeError) return withCause(new (window.TypeError as TypeErrorConstructor)(e.message), e);
  return e;
}

/** `p` as a promise of the page's realm, rejections converted with pageError. */
function pagePromise<T>(window: DOMWindow, p: Promise<T>): Promise<T> {
  const P = window.Promise as PromiseConstructor;
  return new P<T>((resolve, reject) => {
    p.then(resolve, (e: unknown) => reject(pageError(window, e)));
  });
}

/** An interface object that cannot be constructed (`new CredentialsContainer()` throws), for `instanceof`. */
function illegalConstructor(name: string, prototype: object, statics: Record<string, unknown> = {}): object {
  const f = function (): never {
    throw new TypeError('Illegal constructor');
  };
  Object.defineProperty(f, 'name', { value: name });
  Object.defineProperty(f, 'prototype', { value: prototype, writable: false });
  for (const [k, v] of Object.entries(statics)) Object.defineProperty(f, k, { value: v, configurable: true, writable: true });
  return f;
}

/** The page-visible CredentialsContainer: delegates to the frame's, in the page's realm. */
class PageCredentialsContainer {
  readonly #call: (method: CredentialRequestEvent['method'], arg: unknown) => Promise<unknown>;
  constructor(call: (method: CredentialRequestEvent['method'], arg: unknown) => Promise<unknown>) {
    this.#call = call;
  }
  get(options?: unknown): Promise<unknown> {
    return this.#call('get', options);
  }
  store(credential: unknown): Promise<unknown> {
    return this.#call('store', credential);
  }
  create(options?: unknown): Promise<unknown> {
    return this.#call('create', options);
  }
  preventSilentAccess(): Promise<unknown> {
    return this.#call('preventSilentAccess', undefined);
  }
  get [Symbol.toStringTag](): string {
    return 'CredentialsContainer';
  }
}

/** The page's AbortSignal as one of the agent's (which checks `instanceof AbortSignal`). */
function agentSignal(value: unknown): unknown {
  if (value instanceof AbortSignal || value === undefined || value === null || typeof value !== 'object') return value;
  const page = value as { aborted?: unknown; reason?: unknown; addEventListener?: (type: string, fn: () => void, o?: object) => void };
  if (typeof page.aborted !== 'boolean' || typeof page.addEventListener !== 'function') return value;
  const controller = new AbortController();
  if (page.aborted) controller.abort(page.reason);
  else page.addEventListener('abort', () => controller.abort(page.reason), { once: true });
  return controller.signal;
}

/**
 * Credential request options from the page, in the agent's realm: members are structured-cloned
 * (so that ArrayBuffers, arrays and objects are the agent's own), except those that cannot be
 * (a form element) and the signal, which is bridged.
 */
function agentOptions(options: unknown): unknown {
  if (options === null || typeof options !== 'object') return options;
  const out: Record<string, unknown> = {};
  for (const key in options) {
    const v = (options as Record<string, unknown>)[key];
    if (key === 'signal') {
      out[key] = agentSignal(v);
      continue;
    }
    try {
      out[key] = structuredClone(v);
    } catch {
      out[key] = v;
    }
  }
  return out;
}

function wireWindow(window: DOMWindow, frame: Frame, hooks: WireHooks): void {
  const define = (target: object, name: PropertyKey, value: unknown): void => {
    Object.defineProperty(target, name, { value, configurable: true, writable: true, enumerable: false });
  };
  const getter = (target: object, name: PropertyKey, get: () => unknown, set?: (v: unknown) => void): void => {
    Object.defineProperty(target, name, { get, ...(set ? { set } : {}), configurable: true, enumerable: true });
  };
  const navigator = window.navigator as Navigator;
  const document = window.document as Document;

  // navigator.credentials and the credential interfaces ([SecureContext]: absent elsewhere).
  const container = frame.navigator.credentials;
  if (container !== undefined) {
    const call = (method: CredentialRequestEvent['method'], arg: unknown): Promise<unknown> => {
      const converted = method === 'store' ? arg : agentOptions(arg);
      let result: Promise<unknown>;
      try {
        switch (method) {
          case 'get':
            result = container.get(converted);
            break;
          case 'create':
            result = container.create(converted);
            break;
          case 'store':
            result = container.store(converted as Credential);
            break;
          case 'preventSilentAccess':
            result = container.preventSilentAccess();
            break;
        }
      } catch (e) {
        result = Promise.reject(e);
      }
      hooks.onCredentialRequest?.({ method, options: converted, result });
      return pagePromise(window, result);
    };
    const credentials = new PageCredentialsContainer(call);
    getter(navigator, 'credentials', () => credentials);
    define(window, 'CredentialsContainer', illegalConstructor('CredentialsContainer', PageCredentialsContainer.prototype));
    define(window, 'Credential', illegalConstructor('Credential', Object.getPrototypeOf(IdentityCredential.prototype) as object));
  }
  const disconnect = frame.IdentityCredential;
  if (disconnect !== undefined) {
    define(
      window,
      'IdentityCredential',
      illegalConstructor('IdentityCredential', IdentityCredential.prototype, {
        disconnect: (options: { configURL: string; clientId: string; accountHint: string }) =>
          pagePromise(window, Promise.resolve().then(() => disconnect.disconnect(agentOptions(options) as typeof options))),
      }),
    );
    define(window, 'IdentityCredentialError', IdentityCredentialError);
  }
  if (frame.PasswordCredential) define(window, 'PasswordCredential', frame.PasswordCredential);
  if (frame.FederatedCredential) define(window, 'FederatedCredential', frame.FederatedCredential);
  if (frame.OTPCredential) define(window, 'OTPCredential', frame.OTPCredential);

  const idp = frame.IdentityProvider;
  if (idp !== undefined) {
    define(
      window,
      'IdentityProvider',
      Object.freeze({
        close: () => idp.close(),
        resolve: (token: unknown, options?: { accountId?: string }) => pagePromise(window, Promise.resolve().then(() => idp.resolve(structuredCloneOr(token), agentOptions(options) as { accountId?: string }))),
        getUserInfo: (config: { configURL: string; clientId: string }) => pagePromise(window, Promise.resolve().then(() => idp.getUserInfo(agentOptions(config) as typeof config))),
      }),
    );
  }
  const login = frame.navigator.login;
  if (login !== undefined) {
    getter(
      navigator,
      'login',
      (() => {
        const value = Object.freeze({ setStatus: (status: 'logged-in' | 'logged-out') => pagePromise(window, Promise.resolve().then(() => login.setStatus(status))) });
        return () => value;
      })(),
    );
  }
  const activation = frame.navigator.userActivation;
  getter(navigator, 'userActivation', () => activation);
  getter(window, 'isSecureContext', () => frame.isSecureContext);

  // document.cookie is the agent's jar (non-HttpOnly cookies of this document's URL).
  getter(
    document,
    'cookie',
    () => frame.cookie,
    (value) => {
      frame.cookie = String(value);
    },
  );

  // window.close(): popups close; a page the user opened ignores it (HTML "script-closable").
  define(window, 'close', () => {
    if (hooks.onWindowClose) hooks.onWindowClose();
    else hooks.log('warn', 'Scripts may close only the windows that were opened by them.');
  });

  wireFetch(window, hooks);
  wireNavigations(window, hooks);
}

function structuredCloneOr(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

// ---------------------------------------------------------------------------------------------
// fetch()

/** Fetch §5.3 "extract a body", for the bodies pages send: text, forms, bytes. */
async function extractBody(body: unknown): Promise<{ text: string; contentType?: string } | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return { text: body, contentType: 'text/plain;charset=UTF-8' };
  const tag = Object.prototype.toString.call(body);
  if (tag === '[object URLSearchParams]') return { text: String(body), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (tag === '[object FormData]') {
    const entries: [string, string][] = [];
    for (const [name, value] of body as Iterable<[string, unknown]>) {
      if (typeof value !== 'string') throw new TypeError('fedkit does not upload files from pages (a FormData entry is a File).');
      entries.push([name, value]);
    }
    return multipart(entries);
  }
  if (tag === '[object Blob]' || tag === '[object File]') {
    const blob = body as Blob;
    return { text: await blob.text(), ...(blob.type ? { contentType: blob.type } : {}) };
  }
  if (ArrayBuffer.isView(body) || tag === '[object ArrayBuffer]') {
    const bytes = ArrayBuffer.isView(body) ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(body as ArrayBuffer);
    return { text: new TextDecoder().decode(bytes) };
  }
  return { text: String(body), contentType: 'text/plain;charset=UTF-8' };
}

/** HTML "multipart/form-data encoding algorithm", for string entries. */
function multipart(entries: [string, string][]): { text: string; contentType: string } {
  const boundary = `----fedkitFormBoundary${randomBytes(8).toString('hex')}`;
  const escape = (s: string): string => s.replace(/\r\n|\r|\n/g, '\r\n').replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const parts = entries.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${escape(name)}"\r\n\r\n${value.replace(/\r\n|\r|\n/g, '\r\n')}\r\n`);
  return { text: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

function wireFetch(window: DOMWindow, hooks: WireHooks): void {
  // Responses whose json() parses with the page's JSON, so page code gets its own objects.
  const PageJSON = window.JSON as JSON;
  class PageResponse extends Response {
    override async json(): Promise<unknown> {
      return PageJSON.parse(await this.text()) as unknown;
    }
  }
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(window, name, { value, configurable: true, writable: true, enumerable: false });
  };
  define('Headers', Headers);
  define('Request', Request);
  define('Response', PageResponse);

  const pageFetch = (input: unknown, init: Record<string, unknown> = {}): Promise<Response> => {
    const P = window.Promise as PromiseConstructor;
    return new P<Response>((resolve, reject) => {
      const fail = (e: unknown): void => reject(pageError(window, e));
      void (async () => {
        let url: URL;
        let method = 'GET';
        let headers = new Headers();
        let body: { text: string; contentType?: string } | undefined;
        if (input instanceof Request) {
          url = new URL(input.url);
          method = input.method;
          headers = new Headers(input.headers);
          if (method !== 'GET' && method !== 'HEAD') body = { text: await input.text() };
        } else {
          url = new URL(String(input), (window.document as Document).baseURI);
        }
        if (init.method !== undefined) method = String(init.method).toUpperCase();
        if (init.headers !== undefined) headers = new Headers(init.headers as HeadersInit);
        if (init.body !== undefined && init.body !== null) body = await extractBody(init.body);
        if (body?.contentType !== undefined && !headers.has('content-type')) headers.set('content-type', body.contentType);
        const signal = init.signal as AbortSignal | undefined;
        if (signal?.aborted) throw signal.reason;
        const credentials = (init.credentials as 'omit' | 'same-origin' | 'include' | undefined) ?? 'same-origin';
        const sent: Record<string, string> = {};
        headers.forEach((value, name) => {
          if (pageHeader(name)) sent[name] = value;
        });
        let res;
        try {
          res = await hooks.subresource(url, { method, headers: sent, ...(body === undefined ? {} : { body: body.text }), credentials });
        } catch (e) {
          // Fetch: a network error rejects with TypeError "Failed to fetch"; the cause says why.
          throw new TypeError('Failed to fetch', { cause: e });
        }
        if (signal?.aborted) throw signal.reason;
        const response = new PageResponse(NULL_BODY.has(res.status) ? null : res.body, { status: res.status, headers: res.headers });
        Object.defineProperty(response, 'url', { value: url.href });
        return response;
      })().then(resolve, fail);
    });
  };
  define('fetch', pageFetch);
}

// ---------------------------------------------------------------------------------------------
// Navigations

interface UrlRecord {
  fragment: string | null;
}

interface LocationImpl {
  _url: UrlRecord;
  _locationObjectNavigate(url: UrlRecord, flags?: { replacement?: boolean }): void;
  reload(): void;
}

/**
 * Makes location.assign/replace/reload and `location.href = …` call `onNavigate` with the
 * target URL. jsdom's Location methods are unforgeable, so the hook goes on this window's Location
 * implementation object (jsdom internals: `implForWrapper`, `_locationObjectNavigate`). Returns
 * false when those internals are not there (another jsdom version).
 */
function hookLocation(window: DOMWindow, onNavigate: (url: URL, reload: boolean) => void): boolean {
  try {
    const utils = require('jsdom/lib/generated/idl/utils.js') as { implForWrapper(wrapper: object): unknown };
    const whatwg = createRequire(require.resolve('jsdom'))('whatwg-url') as { serializeURL(url: UrlRecord, excludeFragment?: boolean): string };
    const impl = utils.implForWrapper(window.location as object) as LocationImpl | null;
    if (!impl || typeof impl._locationObjectNavigate !== 'function' || typeof impl.reload !== 'function') return false;
    const original = impl._locationObjectNavigate.bind(impl);
    impl._locationObjectNavigate = (url, flags = {}) => {
      // HTML "navigate" step: same URL but for a fragment → navigate to a fragment (jsdom does it).
      if (url.fragment !== null && whatwg.serializeURL(url, true) === whatwg.serializeURL(impl._url, true)) {
        original(url, flags);
        return;
      }
      // `replacement` only matters for session history, which the agent does not keep.
      onNavigate(new URL(whatwg.serializeURL(url)), false);
    };
    impl.reload = () => onNavigate(new URL(whatwg.serializeURL(impl._url)), true);
    return true;
  } catch {
    return false;
  }
}

function wireNavigations(window: DOMWindow, hooks: WireHooks): void {
  const document = window.document as Document;
  // Links: the window sees a click last (after the page's own handlers); an unprevented click on
  // a link navigates, except to a fragment of this document, which jsdom handles.
  window.addEventListener('click', (event: Event) => {
    if (event.defaultPrevented) return;
    const target = event.target as Element | null;
    const link = target?.closest?.('a[href], area[href]') as HTMLAnchorElement | null | undefined;
    if (!link || link.hasAttribute('download')) return;
    let url: URL;
    try {
      url = new URL(link.href);
    } catch {
      return;
    }
    if (url.protocol === 'javascript:') return;
    const here = new URL(document.URL);
    if (url.hash !== '' && url.href.split('#')[0] === here.href.split('#')[0]) return;
    event.preventDefault();
    hooks.navigate(url, { method: 'GET' }, 'link');
  });

  // HTML §4.10.21.3 "form submission", for GET and POST with urlencoded, multipart and text/plain.
  const submit = (form: HTMLFormElement, submitter: HTMLElement | null): void => {
    const FormDataCtor = window.FormData as unknown as new (form: HTMLFormElement, submitter?: HTMLElement | null) => FormData;
    const data = new FormDataCtor(form, submitter);
    const entries: [string, string][] = [];
    for (const [name, value] of data.entries()) {
      if (typeof value === 'string') entries.push([name, value]);
      else hooks.log('warn', `fedkit: the file in form field "${name}" was not sent.`);
    }
    const attr = (name: string, formName: string): string | null =>
      (submitter?.hasAttribute(formName) ? submitter.getAttribute(formName) : null) ?? form.getAttribute(name);
    const action = new URL(attr('action', 'formaction') || document.URL, document.baseURI);
    const method = (attr('method', 'formmethod') ?? 'get').toLowerCase();
    if (method === 'dialog') return;
    const enctype = (attr('enctype', 'formenctype') ?? '').toLowerCase();
    if (method !== 'post') {
      action.search = new URLSearchParams(entries).toString();
      hooks.navigate(action, { method: 'GET' }, 'form');
      return;
    }
    if (enctype === 'multipart/form-data') {
      const m = multipart(entries);
      hooks.navigate(action, { method: 'POST', body: m.text, contentType: m.contentType }, 'form');
    } else if (enctype === 'text/plain') {
      hooks.navigate(action, { method: 'POST', body: entries.map(([n, v]) => `${n}=${v}\r\n`).join(''), contentType: 'text/plain' }, 'form');
    } else {
      hooks.navigate(action, { method: 'POST', body: new URLSearchParams(entries).toString(), contentType: 'application/x-www-form-urlencoded' }, 'form');
    }
  };
  window.addEventListener('submit', (event: Event) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    submit(event.target as HTMLFormElement, (event as SubmitEvent).submitter ?? null);
  });
  // form.submit() fires no submit event (HTML), so it needs its own hook.
  const proto = (window.HTMLFormElement as typeof HTMLFormElement).prototype;
  Object.defineProperty(proto, 'submit', {
    configurable: true,
    writable: true,
    value: function (this: HTMLFormElement) {
      submit(this, null);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Module scripts in the HTML

interface ModuleEntry {
  /** The URL of the deferred classic script that starts this module script. */
  bootURL: string;
  src?: URL;
  inline?: string;
  baseURL: string;
}

interface PreparedHtml {
  html: string;
  entries: ModuleEntry[];
  importMap: Map<string, string> | undefined;
}

interface ElementLocation {
  startTag?: { startOffset: number; endOffset: number };
}

/** HTML "prepare the script element" steps 7–8: the script's type. */
function scriptType(script: Element): 'classic' | 'module' | 'importmap' | null {
  const type = script.getAttribute('type');
  const language = script.getAttribute('language');
  let typeString: string;
  if (type === '' || (type === null && (language === null || language === ''))) typeString = 'text/javascript';
  else if (type !== null) typeString = type.trim();
  else typeString = `text/${language}`;
  const lower = typeString.toLowerCase();
  if (/^(?:application|text)\/(?:x-)?(?:java|ecma)script$|^text\/(?:javascript1\.[0-5]|jscript|livescript)$/.test(lower)) return 'classic';
  if (lower === 'module') return 'module';
  if (lower === 'importmap') return 'importmap';
  return null;
}

const escapeAttribute = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/**
 * Rewrites each `<script type=module>` start tag into a deferred (or async) classic script whose
 * `src` is a URL only this runner answers; the module itself is loaded when jsdom asks for that
 * URL, so it runs where HTML runs module scripts: after parsing, in order with deferred scripts,
 * before DOMContentLoaded. `nomodule` scripts are turned off (browsers with modules skip them).
 * Everything else in the HTML is left byte for byte (positions come from the parser).
 */
function prepareModuleScripts(html: string, base: URL): PreparedHtml {
  const none: PreparedHtml = { html, entries: [], importMap: undefined };
  if (!/<script\b[^>]*(?:\btype\s*=\s*["']?\s*(?:module|importmap)|\bnomodule\b)/i.test(html)) return none;
  if (base.protocol !== 'https:' && base.protocol !== 'http:') return none;
  const { JSDOM } = loadJsdom();
  const dom = new JSDOM(html, { url: base.href, contentType: 'text/html', includeNodeLocations: true });
  try {
    const document = dom.window.document;
    const token = randomBytes(6).toString('hex');
    const edits: { start: number; end: number; text: string }[] = [];
    const entries: ModuleEntry[] = [];
    let importMap: Map<string, string> | undefined;
    const startTag = (script: Element, extra: string, drop: string[]): void => {
      const loc = dom.nodeLocation(script) as ElementLocation | null | undefined;
      if (!loc?.startTag) return;
      const attrs = [...script.attributes].filter((a) => !drop.includes(a.name)).map((a) => ` ${a.name}="${escapeAttribute(a.value)}"`);
      edits.push({ start: loc.startTag.startOffset, end: loc.startTag.endOffset, text: `<script${attrs.join('')}${extra}>` });
    };
    for (const script of document.querySelectorAll('script')) {
      const type = scriptType(script);
      if (type === 'importmap') {
        if (importMap === undefined) importMap = parseImportMap(script.textContent ?? '', document.baseURI);
        continue;
      }
      if (type === 'classic' && script.hasAttribute('nomodule')) {
        startTag(script, ' type="text/x-fedkit-nomodule"', ['type']);
        continue;
      }
      if (type !== 'module') continue;
      const bootURL = new URL(`/.fedkit/module-script/${token}/${entries.length}.js`, base).href;
      const src = script.getAttribute('src');
      const entry: ModuleEntry = { bootURL, baseURL: document.baseURI };
      if (src !== null) {
        try {
          entry.src = new URL(src, document.baseURI);
        } catch {
          continue;
        }
      } else {
        entry.inline = script.textContent ?? '';
      }
      entries.push(entry);
      const mode = script.hasAttribute('async') ? ' async' : ' defer';
      startTag(script, ` src="${escapeAttribute(bootURL)}"${mode} data-fedkit-module="${escapeAttribute(src ?? 'inline')}"`, ['type', 'src', 'async', 'defer']);
    }
    edits.sort((a, b) => b.start - a.start);
    let out = html;
    for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
    return { html: out, entries, importMap };
  } finally {
    dom.window.close();
  }
}

/** HTML "parse an import map string", the `imports` member only (no scopes). */
function parseImportMap(text: string, baseURL: string): Map<string, string> {
  const map = new Map<string, string>();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return map;
  }
  const imports = (json as { imports?: unknown } | null)?.imports;
  if (imports === null || typeof imports !== 'object') return map;
  for (const [key, value] of Object.entries(imports as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    let target: string;
    try {
      target = new URL(value, baseURL).href;
    } catch {
      continue;
    }
    let normalized = key;
    if (/^(?:\/|\.\/|\.\.\/)/.test(key)) {
      try {
        normalized = new URL(key, baseURL).href;
      } catch {
        continue;
      }
    }
    map.set(normalized, target);
  }
  return map;
}

/**
 * Module scripts that the page inserts itself (`document.createElement('script')`, type module):
 * jsdom ignores them, so a mutation observer loads and runs them, firing load or error.
 */
function observeDynamicModuleScripts(window: DOMWindow, loader: ModuleLoader, uncaught: (error: unknown, url: string) => void): void {
  const MutationObserverCtor = window.MutationObserver as typeof MutationObserver;
  const seen = new WeakSet<Element>();
  const start = (script: HTMLScriptElement): void => {
    if (seen.has(script) || scriptType(script) !== 'module' || !script.isConnected) return;
    seen.add(script);
    const document = window.document as Document;
    const src = script.getAttribute('src');
    const load = src !== null ? loader.loadURL(new URL(src, document.baseURI)) : loader.loadInline(script.textContent ?? '', document.baseURI);
    void load.then(
      (record) => {
        const failure = loader.loadError(record);
        if (failure !== undefined) {
          uncaught(failure, record.url);
          script.dispatchEvent(new (window.Event as typeof Event)('error'));
          return;
        }
        try {
          loader.evaluate(record)?.catch(() => {});
        } catch {
          // Reported by the loader.
        }
        if (src !== null) script.dispatchEvent(new (window.Event as typeof Event)('load'));
      },
      (e: unknown) => uncaught(e, String(src)),
    );
  };
  const observer = new MutationObserverCtor((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        const element = node as Element;
        if (element.localName === 'script') start(element as HTMLScriptElement);
        for (const inner of element.querySelectorAll('script')) start(inner);
      }
    }
  });
  // Parser-inserted module scripts were rewritten to classic ones before parsing, so only
  // scripts added later still say type=module.
  observer.observe(window.document as Document, { childList: true, subtree: true });
}

// ---------------------------------------------------------------------------------------------
// Unhandled rejections in pages

/** Promise.prototype of each running page's realm → where its unhandled rejections go. */
const liveRealms = new Map<object, (reason: unknown) => void>();
/** Realms of closed pages: their late rejections are dropped. */
const retiredRealms = new WeakSet<object>();
let listening = false;

/**
 * A page's unhandled promise rejection reaches Node's process (vm contexts share its queue), where
 * by default it would end the process. Rejections from page realms are reported to their page
 * ("Uncaught (in promise)") instead; any other keeps Node's behaviour.
 */
function onUnhandledRejection(reason: unknown, promise: Promise<unknown>): void {
  const proto = Object.getPrototypeOf(promise) as object | null;
  if (proto !== null) {
    const report = liveRealms.get(proto);
    if (report) {
      report(reason);
      return;
    }
    if (retiredRealms.has(proto)) return;
  }
  // Not a page's: with no other listener Node would have thrown it as an uncaught exception.
  if (process.listenerCount('unhandledRejection') <= 1) throw reason;
}

function trackRejections(window: DOMWindow, report: (reason: unknown) => void): void {
  const proto = (window.Promise as PromiseConstructor).prototype;
  liveRealms.set(proto, report);
  if (!listening) {
    listening = true;
    process.on('unhandledRejection', onUnhandledRejection);
  }
}

function retire(window: DOMWindow): void {
  const proto = (window.Promise as PromiseConstructor | undefined)?.prototype;
  if (proto === undefined) return;
  liveRealms.delete(proto);
  retiredRealms.add(proto);
}
