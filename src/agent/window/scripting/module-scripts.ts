// Module scripts in the HTML: `<script type="module">` (external or inline), their import map,
// `nomodule` scripts, and module scripts the page inserts later. jsdom runs only classic scripts,
// so before parsing each module script's start tag becomes a deferred (or async) classic script
// whose `src` is a boot URL only this runner answers; the answer comes once the module graph is
// loaded (module-loader.ts), and the boot script then evaluates it. So module scripts run where
// HTML runs them: after parsing, in order with deferred scripts, before DOMContentLoaded.

import { randomBytes } from 'node:crypto';
import { parseImportMap } from './import-map.js';
import { loadJsdom, type DOMWindow } from '../../base/jsdom.js';
import type { ModuleLoader, ModuleRecord } from './module-loader.js';
import type { Log, Report } from './types.js';

export interface ModuleEntry {
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

/** Where a boot script finds the function that runs its module script (a property of the window). */
const MODULE_BOOT = Symbol.for('fedkit.moduleScripts');

/** HTML §4.12.1.1 "prepare the script element" steps 7–8: the script's type. */
export function scriptType(script: Element): 'classic' | 'module' | 'importmap' | null {
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
 * HTML §4.12.1.1 "prepare the script element", for the parser-inserted scripts of `html`.
 */
export function prepareModuleScripts(html: string, base: URL): PreparedHtml {
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

/** A module script of the HTML, once its graph is being loaded. */
type LoadingEntry = ModuleEntry & { record?: Promise<ModuleRecord> };

/** The document's module scripts, between jsdom's request for a boot URL and the boot script's run. */
export interface DocumentModuleScripts {
  /**
   * The response for a request of `url`, if it is a boot URL: the boot script, once the module
   * graph is loaded (so the deferred script runs only when everything is here). Undefined for any
   * other URL.
   */
  bootScript(url: string): Promise<Response> | undefined;
  /** Makes `window` run the boot scripts, and module scripts the page inserts later. */
  install(window: DOMWindow, uncaught: (error: unknown, url: string) => void): void;
}

/** The module scripts `prepareModuleScripts` found, loaded and run with `loader`. */
export function documentModuleScripts(
  prepared: readonly ModuleEntry[],
  loader: ModuleLoader,
  hooks: { log: Log; report: Report; label: string; window: () => DOMWindow | undefined },
): DocumentModuleScripts {
  const { log, report, label } = hooks;
  const entries = new Map<string, LoadingEntry>();
  for (const entry of prepared) entries.set(entry.bootURL, entry);

  function loadEntry(entry: ModuleEntry): Promise<ModuleRecord> {
    return entry.inline !== undefined ? loader.loadInline(entry.inline, entry.baseURL) : loader.loadURL(entry.src!);
  }

  /** The deferred script of a module script ran: evaluate its graph (HTML §4.12.1.1 "execute the script element"). */
  function runEntry(entry: LoadingEntry, script: HTMLScriptElement | null): void {
    // The interceptor awaited the graph before jsdom ran this script, so it has settled.
    void entry.record?.then((record) => {
      const failure = loader.loadError(record);
      if (failure !== undefined) {
        const message = failure instanceof Error ? failure.message : String(failure);
        log('error', message);
        report('warning', `A module script of the ${label} could not load.`, message);
        const w = hooks.window();
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

  return {
    bootScript(url) {
      const entry = entries.get(url);
      if (entry === undefined) return undefined;
      // A module script: load its graph now, so that the deferred script that starts it
      // runs only once everything is here (module scripts are deferred, HTML §4.12.1.1).
      entry.record ??= loadEntry(entry);
      const loading = entry.record;
      return (async () => {
        await loading.catch(() => undefined);
        return new Response(`globalThis[Symbol.for('fedkit.moduleScripts')](${JSON.stringify(entry.bootURL)}, document.currentScript);`, {
          headers: { 'content-type': 'text/javascript' },
        });
      })();
    },
    install(window, uncaught) {
      const boot = (key: string, script: HTMLScriptElement | null): void => {
        const entry = entries.get(key);
        if (entry === undefined) return;
        runEntry(entry, script);
      };
      Object.defineProperty(window, MODULE_BOOT, { value: boot, configurable: true });
      observeDynamicModuleScripts(window, loader, uncaught);
    },
  };
}

/**
 * Module scripts that the page inserts itself (`document.createElement('script')`, type module):
 * jsdom ignores them, so a mutation observer loads and runs them, firing load or error.
 * HTML §4.12.1.1 "prepare the script element", for a script element that becomes connected.
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
