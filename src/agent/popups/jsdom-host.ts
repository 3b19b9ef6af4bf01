// A PopupHost that runs the IdP's own HTML and scripts with jsdom, so an unmodified login page
// (a form post, then IdentityProvider.close()) or continuation page (IdentityProvider.resolve())
// works in the agent. The page's world is wired to the agent: every request it makes goes
// through the agent's network layer (host rules, CA trust, cookies, Set-Login), document.cookie
// is the agent's jar, navigator.login and IdentityProvider are the agent's.

import { JSDOM, VirtualConsole, requestInterceptor } from 'jsdom';
import type { Diagnostic } from '../diagnostics.js';
import type { Frame } from '../page/frame.js';
import type { Popup, PopupHost } from './popup.js';

export interface JsdomPopupsOptions {
  /** Receives the page's console output and jsdom's own errors (default: reported as info diagnostics). */
  console?: (level: 'log' | 'info' | 'warn' | 'error' | 'jsdomError', message: string, popup: Popup) => void;
  /** Called with each diagnostic-worthy event inside the page (script errors, unsupported navigations). */
  report?: (diagnostic: Diagnostic) => void;
}

/** The request headers a page script may set on the agent's requests (the agent writes the rest). */
const PAGE_HEADERS = ['accept', 'content-type'];

export function jsdomPopups(options: JsdomPopupsOptions = {}): PopupHost {
  return {
    show(popup) {
      run(popup, options);
    },
  };
}

/** Runs the popup's current document; a form submission loads and runs the next one. */
function run(popup: Popup, options: JsdomPopupsOptions): void {
  const frame = popup.frame;
  const report = (level: Diagnostic['level'], message: string, detail: string): void => {
    options.report?.({ reason: 'InvalidRequest', level, message, detail, url: frame.url.href });
  };
  const virtualConsole = new VirtualConsole();
  for (const level of ['log', 'info', 'warn', 'error'] as const) {
    virtualConsole.on(level, (...args: unknown[]) => options.console?.(level, args.map(String).join(' '), popup));
  }
  virtualConsole.on('jsdomError', (error: Error) => {
    options.console?.('jsdomError', error.message, popup);
    report('warning', `The ${popup.purpose} page had an error.`, `${frame.url.href}: ${error.message}`);
  });

  // Scripts run inside the JSDOM constructor and may already submit a form, so the window is
  // reached through a holder that is filled once construction returns.
  const current: { dom?: JSDOM } = {};
  const navigate = (url: string, init: { method: 'GET' | 'POST'; body?: string; contentType?: string }): void => {
    current.dom?.window.close();
    popup
      .navigate(url, init)
      .then(() => {
        if (!popup.closed) run(popup, options);
      })
      .catch((e: unknown) => {
        report('error', `The ${popup.purpose} page could not navigate.`, `${url}: ${e instanceof Error ? e.message : String(e)}`);
      });
  };

  current.dom = new JSDOM(frame.response?.body ?? '', {
    url: frame.url.href,
    contentType: 'text/html',
    runScripts: 'dangerously',
    pretendToBeVisual: true,
    virtualConsole,
    resources: {
      interceptors: [
        requestInterceptor(async (request) => {
          const headers: Record<string, string> = {};
          for (const name of PAGE_HEADERS) {
            const value = request.headers.get(name);
            if (value !== null) headers[name] = value;
          }
          const body = request.method === 'POST' ? await request.text() : undefined;
          const res = await popup.frame.fetch(request.url, {
            method: request.method === 'POST' ? 'POST' : 'GET',
            headers,
            ...(body === undefined ? {} : { body }),
            credentials: 'include',
          });
          return new Response(res.body, { status: res.status, headers: res.headers });
        }),
      ],
    },
    beforeParse(window) {
      wireWindow(window, popup, frame, navigate);
    },
  });
  void popup.result.then(() => current.dom?.window.close());
}

type JsdomWindow = JSDOM['window'];

/** Installs the agent's APIs into the page's window before its scripts run. */
function wireWindow(
  window: JsdomWindow,
  popup: Popup,
  frame: Frame,
  navigate: (url: string, init: { method: 'GET' | 'POST'; body?: string; contentType?: string }) => void,
): void {
  const idp = frame.IdentityProvider;
  Object.defineProperty(window, 'IdentityProvider', {
    configurable: true,
    value: Object.freeze({
      close: () => idp?.close(),
      resolve: (token: unknown, options?: { accountId?: string }) => idp?.resolve(token, options),
      getUserInfo: (config: { configURL: string; clientId: string }) => idp?.getUserInfo(config),
    }),
  });
  Object.defineProperty(window.navigator, 'login', {
    configurable: true,
    value: Object.freeze({ setStatus: (status: 'logged-in' | 'logged-out') => frame.navigator.login?.setStatus(status) }),
  });
  Object.defineProperty(window.document, 'cookie', {
    configurable: true,
    get: () => frame.cookie,
    set: (value: string) => {
      frame.cookie = value;
    },
  });
  // window.close() from the page closes the popup, as the user would.
  Object.defineProperty(window, 'close', { configurable: true, value: () => popup.close() });

  // HTML §4.10.21 "form submission", reduced to what login pages use: GET/POST with
  // application/x-www-form-urlencoded. jsdom does not navigate, so the agent does.
  const submit = (form: HTMLFormElement, submitter?: HTMLElement | null): void => {
    const FormDataCtor = window.FormData as unknown as new (form: HTMLFormElement, submitter?: HTMLElement | null) => FormData;
    const data = new FormDataCtor(form, submitter ?? null);
    const params = new URLSearchParams();
    for (const [name, value] of data.entries()) if (typeof value === 'string') params.append(name, value);
    const action = new URL(form.getAttribute('action') ?? '', frame.url);
    const method = (form.getAttribute('method') ?? 'get').toLowerCase() === 'post' ? 'POST' : 'GET';
    if (method === 'GET') {
      action.search = params.toString();
      navigate(action.href, { method });
    } else {
      navigate(action.href, { method, body: params.toString(), contentType: 'application/x-www-form-urlencoded' });
    }
  };
  window.document.addEventListener(
    'submit',
    (event) => {
      if (event.defaultPrevented) return;
      event.preventDefault();
      submit(event.target as HTMLFormElement, (event as SubmitEvent).submitter);
    },
    false,
  );
  // form.submit() fires no submit event (HTML), so it needs its own hook.
  const proto = window.HTMLFormElement.prototype as HTMLFormElement;
  Object.defineProperty(proto, 'submit', {
    configurable: true,
    value: function (this: HTMLFormElement) {
      submit(this);
    },
  });
}
