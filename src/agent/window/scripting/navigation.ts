// Navigations the page starts, made by the agent: location.assign/replace/reload and
// `location.href = …`, link clicks, form submissions and form.submit(). Each becomes a call to the
// `Navigate` function built here, which loads the next document as a new Frame (in the popup, or
// with the agent for a top-level page) and closes this one.
//
// jsdom does not navigate: it reports "Not implemented: navigation to another Document" without
// the target URL, and `location`'s methods are [LegacyUnforgeable] (non-configurable). fedkit
// therefore replaces the navigate steps on this window's own Location implementation object
// (jsdom internals, looked up defensively); if that ever fails, the "not implemented" report is
// taken as a reload of the current URL and a warning says so (run-scripts.ts).

import { createRequire } from 'node:module';
import type { Frame } from '../frame.js';
import type { NavigationInit } from '../../document/document.js';
import { multipart } from './form-encoding.js';
import type { DOMWindow } from '../../base/jsdom.js';
import type { Log, Navigate, NavigationEvent, Report, RunScriptsOptions } from './types.js';

const require = createRequire(import.meta.url);

/** The page's navigations: `navigate` starts one, `next` is the first one's next document. */
export interface PageNavigations {
  readonly navigate: Navigate;
  /** Undefined until the page navigates; then the next document, once loaded. */
  readonly next: Promise<Frame> | undefined;
}

/**
 * How the page's navigations are made: the first one loads the next document (the popup's
 * navigate, `options.navigate` or `options.agent.open`) and closes this one; a second one while
 * it is under way is ignored.
 * HTML §7.4 "navigate", with the agent as the user agent that loads the next document.
 */
export function pageNavigations(
  frame: Frame,
  options: Pick<RunScriptsOptions, 'agent' | 'navigate' | 'onNavigate'>,
  hooks: { closed: () => boolean; close: () => void; log: Log; report: Report; label: string },
): PageNavigations {
  const { log, report, label } = hooks;
  let navigation: Promise<Frame> | undefined;
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
    if (hooks.closed()) return;
    if (navigation !== undefined) {
      log('warn', `fedkit: a second navigation (${url.href}) was ignored; the first one is under way.`);
      return;
    }
    if (loadNext === undefined) {
      report('warning', `The ${label} tried to navigate.`, `${frame.url.href} → ${url.href}: pass the agent to runScripts() so that it can load the next document.`);
      return;
    }
    const method = init.method ?? 'GET';
    const next = loadNext(url, { initiator: frame.origin, ...init, method }).then((f) => {
      hooks.close();
      // A popup's navigate closes the document it replaces; a top-level page is closed here.
      if (!frame.popup) frame.close();
      return f;
    });
    next.catch((e: unknown) => {
      report('error', `The ${label} could not navigate.`, `${method} ${url.href}: ${e instanceof Error ? e.message : String(e)}`);
    });
    navigation = next;
    options.onNavigate?.({ url, method, cause, next });
  }

  return {
    navigate,
    get next() {
      return navigation;
    },
  };
}

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
 * HTML §7.2 "the Location interface": "Location-object navigate" and reload().
 */
export function hookLocation(window: DOMWindow, onNavigate: (url: URL, reload: boolean) => void): boolean {
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

/**
 * Link clicks and form submissions of the page as navigations.
 * HTML §4.6.4 "following hyperlinks", §4.10.21.3 "form submission algorithm".
 */
export function wireNavigations(window: DOMWindow, hooks: { navigate: Navigate; log: Log }): void {
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
