// A PopupHost that runs the IdP's own HTML and scripts with jsdom, so an unmodified login page
// (a form post or fetch(), then IdentityProvider.close()) or continuation page
// (IdentityProvider.resolve()) works in the agent. The page runs with runScripts (scripting/run-scripts.ts):
// every request goes through the agent's network layer (host rules, CA trust, cookies,
// Set-Login), document.cookie is the agent's jar, navigator.login and IdentityProvider are the
// agent's, and a navigation (form submission, location change) loads the next document in the
// popup and runs it in turn.

import type { Diagnostic } from '../base/diagnostics.js';
import { loadJsdom } from '../base/jsdom.js';
import type { FetchRecord } from '../base/events.js';
import { runScripts, type PageScripts } from './scripting/run-scripts.js';
import type { Popup, PopupHost } from './popup.js';

export interface JsdomPopupsOptions {
  /** Receives the page's console output and jsdom's own errors (default: dropped). */
  console?: (level: 'log' | 'info' | 'warn' | 'error' | 'debug' | 'jsdomError', message: string, popup: Popup) => void;
  /** Called with each diagnostic-worthy event inside the page (script errors, failed requests, navigations). */
  report?: (diagnostic: Diagnostic) => void;
  /** Every request the popup's pages made (scripts, fetch, XHR), when it finished. */
  onFetch?: (record: FetchRecord, popup: Popup) => void;
  /** Each document the popup runs, as it starts (to act in it: fill a form, click). */
  onPage?: (page: PageScripts, popup: Popup) => void;
}

/**
 * A PopupHost that runs each popup's pages with jsdom. jsdom is loaded here, when the host is
 * made: loading it blocks the process for about a quarter of a second, which the first popup
 * would otherwise spend in the middle of whatever else is in flight (other sign-ins' requests
 * and timers).
 */
export function jsdomPopups(options: JsdomPopupsOptions = {}): PopupHost {
  loadJsdom();
  return {
    show(popup) {
      run(popup, options);
    },
  };
}

/** Runs the popup's current document; a navigation loads and runs the next one. */
function run(popup: Popup, options: JsdomPopupsOptions): void {
  const page = runScripts(popup.frame, {
    label: `${popup.purpose} page`,
    navigate: (url, init) => popup.navigate(url, init),
    onNavigate: ({ next }) => {
      next.then(
        () => {
          if (!popup.closed) run(popup, options);
        },
        () => {}, // reported by runScripts
      );
    },
    // window.close() from the page closes the popup, as the user would.
    onWindowClose: () => popup.close(),
    ...(options.console ? { console: (level, message) => options.console?.(level, message, popup) } : {}),
    ...(options.report ? { report: options.report } : {}),
    ...(options.onFetch ? { onFetch: (record) => options.onFetch?.(record, popup) } : {}),
  });
  void popup.result.then(() => page.close());
  options.onPage?.(page, popup);
}
