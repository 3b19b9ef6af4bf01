// Page mode (no --config-url): the RP page is loaded and its own scripts sign in. It follows the
// page's navigations, clicks `--click` once the page has settled, and decides when the outcome
// is final: a credential and quiet requests, a failed request, or a page that never asks.

import { runScripts, type Agent, type Credential, type Frame, type PageScripts } from '../../agent/index.js';
import { UsageError } from '../args.js';
import { open, titleOf } from './open.js';
import type { Settings } from './options.js';
import { article, causeOf, describeCall, errorMessage, errorName, jsonable, type Log, type SigninReport } from './reporter.js';
import type { Outcome } from './result.js';
import { race, sleep } from './wait.js';

/** How long a page must be quiet (no requests, no pending get()) before its outcome is final. */
const SETTLE_MS = 500;
/** How long a page that never called get() is given after it loaded. */
const NO_CALL_MS = 2_000;
/** Navigations followed before a credential arrives (script redirects). */
const MAX_NAVIGATIONS = 5;

/** Without --config-url: the page's own scripts sign in. */
export async function pageMode(agent: Agent, s: Settings, log: Log, signal: AbortSignal): Promise<Outcome> {
  const { style, report } = log;
  let lastActivity = performance.now();
  const touch = (): void => {
    lastActivity = performance.now();
  };
  agent.on('fetch', touch);
  agent.on('dialogShown', touch);
  agent.on('dialogClosed', touch);

  let pending = 0;
  let calls = 0;
  let credential: Credential | undefined;
  let lastError: unknown;

  const start = (frame: Frame): PageScripts => {
    log.step(`Running the page's scripts (${frame.url.href})`);
    return runScripts(frame, {
      agent,
      console: (level, message) => log.pageConsole(level, message),
      report: (d) => log.pageProblem(d),
      onFetch: (record) => {
        touch();
        log.request(record, 'page');
      },
      onNavigate: ({ url, method, cause }) => {
        touch();
        log.step(`The page navigates (${cause}): ${method} ${url.href}`);
      },
      onCredentialRequest: ({ method, options, result }) => {
        touch();
        calls++;
        // store()'s argument is a credential: its type and id only (never a password).
        const shown = method === 'store' && options !== null && typeof options === 'object' ? { type: (options as Credential).type, id: (options as Credential).id } : jsonable(options);
        const entry: SigninReport['calls'][number] = { method, options: shown };
        report.calls.push(entry);
        log.step(`The page calls ${describeCall(method, options)}`);
        if (method !== 'get') {
          void result.then(
            () => (entry.outcome = 'ok'),
            (e: unknown) => (entry.outcome = `${errorName(e)}: ${errorMessage(e)}`),
          );
          return;
        }
        pending++;
        result.then(
          (value) => {
            pending--;
            touch();
            entry.outcome = value ? 'credential' : 'null';
            if (value) {
              credential ??= value as Credential;
              const type = (value as Credential).type;
              log.step(`${style.green('✔')} get() resolved with ${article(type)} ${type} credential; waiting for the page to use it`);
            } else {
              lastError = new DOMException('get() resolved with null.', 'NotAllowedError');
              log.step(`${style.yellow('✖')} get() resolved with null`);
            }
          },
          (e: unknown) => {
            pending--;
            touch();
            entry.outcome = `${errorName(e)}: ${errorMessage(e)}`;
            lastError = e;
            const d = causeOf(e);
            log.step(`${style.yellow('✖')} get() rejected: ${errorName(e)}: ${errorMessage(e)}${d ? ` (${d.reason})` : ''}`);
          },
        );
      },
    });
  };

  let page = start(await open(agent, s.url, log, signal));
  let loadedAt: number | undefined;
  void page.loaded.then(() => (loadedAt = performance.now()));
  let navigations = 0;
  let clicked = s.click === undefined;
  log.progress.start('running the page');
  try {
    for (;;) {
      await sleep(50, signal);
      const now = performance.now();
      const quiet = pending === 0 && page.inflight === 0 && now - lastActivity >= SETTLE_MS && agent.automation.currentDialog === null;

      // The click comes once the page has settled, as a person clicks after it loaded: a passive
      // request started on load has shown its chooser or failed (which records the IdP's login
      // status, so that active mode can then open the IdP's login page).
      if (!clicked && credential) {
        clicked = true;
        log.step(`Not clicking ${s.click}: the page already received a credential`);
      }
      if (!clicked && loadedAt !== undefined) {
        if (!quiet) continue;
        const selector = s.click!;
        let found: Element | null = null;
        try {
          found = page.document.querySelector(selector);
        } catch (e) {
          throw new UsageError(`--click ${selector}: ${errorMessage(e)}`);
        }
        if (found !== null) {
          clicked = true;
          touch();
          log.step(`Clicking ${selector} (a user click: the page gets transient activation)`);
          page.click(selector);
          continue;
        }
        if (now - loadedAt >= NO_CALL_MS) return { error: new Error(`No element matches --click ${selector} on ${page.frame.url.href}.`) };
        continue;
      }

      const navigation = page.navigated;
      if (navigation !== undefined) {
        log.progress.start('loading the next page');
        const next = await race(navigation, signal).catch((e: unknown) => {
          throw new Error(`The page's navigation failed: ${errorMessage(e)}`);
        });
        touch();
        const status = next.response?.status;
        const title = titleOf(next);
        report.navigations.push({ url: next.url.href, method: 'GET', ...(status === undefined ? {} : { status }), title });
        log.step(`The page is now ${next.url.href}${status === undefined ? '' : ` (${status})`}${title ? `: "${title}"` : ''}`);
        if (credential) return { credential };
        if (++navigations > MAX_NAVIGATIONS) return { error: new Error(`The page navigated ${navigations} times without signing in.`) };
        page = start(next);
        loadedAt = undefined;
        void page.loaded.then(() => (loadedAt = performance.now()));
        log.progress.start('running the page');
        continue;
      }

      if (credential && quiet) return { credential };
      if (!credential && calls > 0 && quiet) {
        return { error: lastError ?? new Error('The page made no sign-in request that succeeded.') };
      }
      if (calls === 0 && loadedAt !== undefined && quiet && now - loadedAt >= NO_CALL_MS && now - lastActivity >= NO_CALL_MS) {
        return {
          error: new Error(
            `The page did not call navigator.credentials.get() after it loaded${s.click ? ` and ${s.click} was clicked` : ''}. Try --click <selector> for a sign-in button, or --config-url and --client-id to call get() directly.`,
          ),
        };
      }
    }
  } finally {
    log.progress.stop();
    page.close();
  }
}
