// Running a document's HTML and scripts with jsdom, its world wired to the agent.
//
// The agent's documents (Frame) do not run scripts. `runScripts(frame)` runs one: jsdom builds
// the DOM and runs the classic scripts, fedkit runs the module scripts, and everything the page
// reaches outside itself is the agent's. This file builds the JSDOM and its virtual console and
// wires in the rest, each part in a file of its own:
//
//   - every request (scripts, module scripts and their imports, stylesheets, XHR, fetch()) goes
//     through `frame.fetch`: the agent's host rules, CA trust, cookie jar and Set-Login handling
//     (subresources.ts);
//   - `fetch`, `Headers`, `Request`, `Response` (jsdom has none) are provided, `Response.json()`
//     giving objects of the page's realm (fetch.ts, realm.ts);
//   - `navigator.credentials` is the frame's CredentialsContainer (get, store, create,
//     preventSilentAccess), with `IdentityCredential` (and its static `disconnect`),
//     `IdentityCredentialError`, `PasswordCredential`, `FederatedCredential`, `OTPCredential`,
//     `IdentityProvider`, `navigator.login`, `navigator.userActivation` and `document.cookie`
//     (page-apis.ts, credentials-facade.ts);
//   - navigations (location.assign/replace/reload, `location.href = …`, link clicks, form
//     submissions) are made by the agent, which loads the next document as a new Frame
//     (navigation.ts, form-encoding.ts);
//   - module scripts and import maps in the HTML (module-scripts.ts, import-map.ts), their
//     graphs loaded by fedkit (module-loader.ts, module-transform.ts, module-tokenizer.ts);
//   - the page's unhandled promise rejections are reported to the page instead of ending the
//     process (rejections.ts).
//
// jsdom does not navigate by itself; navigation.ts hooks its Location internals. Should that
// hook fail (another jsdom version), jsdom's "Not implemented: navigation to another Document"
// report is taken here as a reload of the current URL, and a warning says so.

import { format } from 'node:util';
import type { Frame } from '../frame.js';
import { wireFetch } from './fetch.js';
import { loadJsdom, type DOMWindow } from '../../base/jsdom.js';
import { ModuleLoader } from './module-loader.js';
import { documentModuleScripts, prepareModuleScripts } from './module-scripts.js';
import { hookLocation, pageNavigations, wireNavigations } from './navigation.js';
import { wireWindow } from './page-apis.js';
import { pageError, vmRun } from './realm.js';
import { retire, trackRejections } from './rejections.js';
import { interceptRequests, pageSubresources } from './subresources.js';
import type { Log, PageScripts, Report, RunScriptsOptions } from './types.js';

export type { ConsoleLevel, CredentialRequestEvent, DocumentOpener, NavigationEvent, PageScripts, RunScriptsOptions } from './types.js';
export type { DOMWindow } from '../../base/jsdom.js';

/** Runs `frame`'s loaded HTML and scripts. See the file comment for what the page can reach. */
export function runScripts(frame: Frame, options: RunScriptsOptions = {}): PageScripts {
  const { JSDOM, VirtualConsole, requestInterceptor } = loadJsdom();
  const label = options.label ?? (frame.popup ? `${frame.popup.purpose} page` : 'page');
  const report: Report = (level, message, detail) => {
    options.report?.({ reason: 'InvalidRequest', level, message, detail, url: frame.url.href, issue: null });
  };
  const log: Log = (level, message) => options.console?.(level, message);

  const state = {
    closed: false,
    inflight: 0,
    window: undefined as DOMWindow | undefined,
    closeWindow: undefined as (() => void) | undefined,
  };

  /** A request for the page, through the agent, recorded (counted in `state.inflight`). */
  const subresource = pageSubresources(frame, state, options, { report, label });

  // ----- Navigation: the agent loads the next document; this one is closed then.
  const navigations = pageNavigations(frame, options, { closed: () => state.closed, close, log, report, label });
  const { navigate } = navigations;

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
  const modules = documentModuleScripts(prepared.entries, loader, { log, report, label, window: () => state.window });

  // ----- The console: the page's, and jsdom's own errors.
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

  /**
   * Reports an uncaught error like a browser: an ErrorEvent at the window, then the console.
   * HTML §8.1 "report an exception".
   */
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
      interceptors: [requestInterceptor(interceptRequests({ bootScript: (url) => modules.bootScript(url), subresource, report, label }))],
    },
    beforeParse(window) {
      state.window = window;
      // The page's window.close() is replaced below; fedkit closes the window with jsdom's.
      const jsdomClose = (window.close as () => void).bind(window);
      state.closeWindow = jsdomClose;
      window.addEventListener('load', () => pending.resolve?.());
      wireWindow(window, frame, {
        onCredentialRequest: options.onCredentialRequest,
        onWindowClose: options.onWindowClose,
        log,
      });
      wireFetch(window, { subresource });
      wireNavigations(window, { navigate, log });
      locationHooked = hookLocation(window, (url, reload) => navigate(url, { method: 'GET' }, reload ? 'reload' : 'location'));
      modules.install(window, uncaught);
      trackRejections(window, (reason) => {
        const error = reason instanceof Error || (typeof reason === 'object' && reason !== null && 'message' in reason) ? (reason as Error) : undefined;
        const text = error ? `${error.name}: ${error.message}` : format(reason);
        virtualConsole.emit('jsdomError', Object.assign(new Error(`Uncaught (in promise) ${text}`, { cause: reason }), { type: 'unhandled-exception' }));
      });
    },
  });
  state.window = dom.window;

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
      return navigations.next;
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
