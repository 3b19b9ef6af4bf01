// The types of runScripts: its options and the page it returns (fedkit/agent exports them, through
// run-scripts.ts), and the few callback shapes the files of this folder hand each other. They live
// here, apart from runScripts, so that every file can import them without importing run-scripts.ts.

import type { Diagnostic } from '../../base/diagnostics.js';
import type { FetchRecord } from '../../base/events.js';
import type { Frame } from '../frame.js';
import type { NavigationInit } from '../../document/document.js';
import type { DOMWindow } from '../../base/jsdom.js';

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

/**
 * What runScripts needs of the agent: opening the next top-level document, not yet loaded. An
 * Agent is one; scripting does not depend on the Agent class itself.
 */
export interface DocumentOpener {
  open(url: URL, options: { load: false }): Promise<Frame>;
}

export interface RunScriptsOptions {
  /**
   * The agent the frame belongs to: top-level navigations open the next document with it
   * (`agent.open`). Popups navigate within the popup without it.
   */
  agent?: DocumentOpener;
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

// ----- Shared by the files of this folder (fedkit/agent does not export these).

/** Writes to the page's console (`RunScriptsOptions.console`). */
export type Log = (level: ConsoleLevel, message: string) => void;

/** Reports a problem inside the page as a diagnostic about the document's URL (`RunScriptsOptions.report`). */
export type Report = (level: Diagnostic['level'], message: string, detail: string) => void;

/** Starts a navigation of the page to `url` (see navigation.ts). */
export type Navigate = (url: URL, init: NavigationInit, cause: NavigationEvent['cause']) => void;
