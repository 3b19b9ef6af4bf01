// jsdom itself: loaded on first use, and the type of its window.
//
// jsdom takes a while to load, so it is required lazily (createRequire: this module is ESM and
// jsdom is CommonJS); only callers that run pages pay for it.

import { createRequire } from 'node:module';
import type * as Jsdom from 'jsdom';

const require = createRequire(import.meta.url);
let jsdom: typeof Jsdom | undefined;
/** jsdom takes a while to load; only callers that run pages pay for it. */
export function loadJsdom(): typeof Jsdom {
  jsdom ??= require('jsdom') as typeof Jsdom;
  return jsdom;
}

export type DOMWindow = Jsdom.DOMWindow;
