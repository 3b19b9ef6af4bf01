// jsdom itself, loaded once for the whole agent, and the type of its window.
//
// jsdom is required lazily (createRequire: this module is ESM and jsdom is CommonJS), so only
// callers that parse or run pages pay for it. Loading it is one synchronous stretch of about a
// quarter of a second (its modules are compiled then), during which nothing else in the process
// runs: jsdomPopups() loads it when it is created, not when the first popup opens in the middle
// of other sign-ins.

import { createRequire } from 'node:module';
import type * as Jsdom from 'jsdom';

const require = createRequire(import.meta.url);
let jsdom: typeof Jsdom | undefined;

/** jsdom, required on the first call. */
export function loadJsdom(): typeof Jsdom {
  jsdom ??= require('jsdom') as typeof Jsdom;
  return jsdom;
}

export type DOMWindow = Jsdom.DOMWindow;
