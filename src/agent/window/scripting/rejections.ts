// Unhandled promise rejections of pages. Page scripts run in vm contexts of this process, so
// their unhandled rejections reach Node's 'unhandledRejection' event. One process listener routes
// each to the page whose realm the promise belongs to (every page has its own Promise.prototype),
// drops those of closed pages, and leaves any other rejection to Node's usual behaviour.

import type { DOMWindow } from '../../base/jsdom.js';

/** Promise.prototype of each running page's realm → where its unhandled rejections go. */
const liveRealms = new Map<object, (reason: unknown) => void>();
/** Realms of closed pages: their late rejections are dropped. */
const retiredRealms = new WeakSet<object>();
let listening = false;

/**
 * A page's unhandled promise rejection reaches Node's process (vm contexts share its queue), where
 * by default it would end the process. Rejections from page realms are reported to their page
 * ("Uncaught (in promise)") instead; any other keeps Node's behaviour.
 * HTML §8.1 "unhandled promise rejections" ("notify about rejected promises"), per page realm.
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

/** Routes the unhandled rejections of `window`'s realm to `report` (and starts listening, once). */
export function trackRejections(window: DOMWindow, report: (reason: unknown) => void): void {
  const proto = (window.Promise as PromiseConstructor).prototype;
  liveRealms.set(proto, report);
  if (!listening) {
    listening = true;
    process.on('unhandledRejection', onUnhandledRejection);
  }
}

/** `window`'s page is closed: its realm's late rejections are dropped from now on. */
export function retire(window: DOMWindow): void {
  const proto = (window.Promise as PromiseConstructor | undefined)?.prototype;
  if (proto === undefined) return;
  liveRealms.delete(proto);
  retiredRealms.add(proto);
}
