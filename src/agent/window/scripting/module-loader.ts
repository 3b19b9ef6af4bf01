// The module-graph loader: ES module scripts for pages run with jsdom (run-scripts.ts; the
// module scripts of the HTML are found in module-scripts.ts).
//
// jsdom 28 does not run `<script type="module">` (HTMLScriptElement-impl.js: "TODO: implement
// modules") and Node 20's `vm.SourceTextModule` exists only behind --experimental-vm-modules, so
// fedkit loads module graphs itself:
//
// - each module is fetched through the agent (HTML "fetch a single module script": CORS mode,
//   credentials same-origin, a JavaScript MIME type required),
// - its top-level `import` / `export` declarations are rewritten by `transformModule`
//   (module-transform.ts; a small tokenizer, module-tokenizer.ts, not a full parser: strings,
//   comments, templates and regular expressions are skipped correctly, so only real declarations
//   are touched), and `import()` / `import.meta` are rewritten wherever they appear,
// - the result is an async function compiled in the page's realm with the module's URL as its
//   file name (stack traces and line numbers match the source), and the graph is evaluated in
//   post-order, synchronously for modules without top-level await, as ECMAScript's
//   InnerModuleEvaluation does.
//
// Differences from real modules, kept deliberately small: named imports are bound once, after the
// imported module has run (a module that changes an exported `let` later is seen through
// `import * as ns`, not through `import { x }`), and a cycle that reads a binding before it is
// initialized fails with ReferenceError where ECMAScript would also fail, but later than it would.
// Import attributes (`with { type: 'json' }`) are not supported.

import { transformModule } from './module-transform.js';

/** What a module fetch returned. */
export interface ModuleResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface ModuleHost {
  /** Fetches a module script through the agent (HTML: mode cors, credentials same-origin). */
  fetch(url: URL): Promise<ModuleResponse>;
  /** Compiles `code` in the page's realm, returning its completion value. */
  evaluate(code: string, filename: string): unknown;
  /** The page's import map `imports` (specifier → URL), already resolved. */
  importMap?: ReadonlyMap<string, string>;
  /** Reports an error thrown while evaluating a module (the page's "Uncaught …"). */
  reportError(error: unknown, url: string): void;
  /** A promise of the page's realm, for `import()` (so page code sees its own Promise). */
  promise<T>(executor: (resolve: (value: T) => void, reject: (reason: unknown) => void) => void): Promise<T>;
  /** Converts an agent-side error to the page's realm (TypeError → page TypeError). */
  pageError(error: unknown): unknown;
}

type Namespace = Record<string, unknown>;

/** One entry of the module map. */
export interface ModuleRecord {
  /** The module map key: the URL, or "inline:<n>" for an inline script. */
  key: string;
  /** The URL imports resolve against and import.meta.url. */
  url: string;
  /** Fetched and parsed (never rejects: failures are in `error`). */
  ready: Promise<void>;
  code?: string;
  deps: ModuleRecord[];
  error?: unknown;
  state: 'new' | 'evaluating' | 'evaluated' | 'errored';
  /** Settles when an asynchronous evaluation (top-level await, async dependencies) finishes. */
  evaluation?: Promise<void>;
  getters: Map<string, () => unknown>;
  namespace: Namespace;
}

/** HTML's JavaScript MIME type essences (MIME Sniffing §4.6). */
const JS_MIME = /^(?:application|text)\/(?:x-)?(?:java|ecma)script$|^text\/(?:javascript1\.[0-5]|jscript|livescript)$/;

/**
 * One document's module map (HTML §8.1.5.3): each URL is fetched and evaluated once. Module
 * scripts of the document and `import()` share it.
 */
export class ModuleLoader {
  readonly #host: ModuleHost;
  readonly #map = new Map<string, ModuleRecord>();
  #inline = 0;

  constructor(host: ModuleHost) {
    this.#host = host;
  }

  /** HTML §8.1 "resolve a module specifier": URLs and relative paths, then the import map. */
  resolve(specifier: string, base: string): URL {
    const map = this.#host.importMap;
    const asURL = /^(?:\/|\.\/|\.\.\/)/.test(specifier) ? tryURL(specifier, base) : tryURL(specifier);
    const key = asURL?.href ?? specifier;
    if (map) {
      const exact = map.get(key);
      if (exact !== undefined) return new URL(exact);
      let best: string | undefined;
      for (const prefix of map.keys()) {
        if (prefix.endsWith('/') && key.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
      }
      if (best !== undefined) return new URL(key.slice(best.length), map.get(best));
    }
    if (asURL) return asURL;
    throw new TypeError(`Failed to resolve module specifier "${specifier}". Relative references must start with either "/", "./", or "../".`);
  }

  /**
   * Loads the graph of an external module script (`<script type=module src>`).
   * HTML §8.1 "fetch an external module script graph".
   */
  async loadURL(url: URL): Promise<ModuleRecord> {
    const root = this.#record(url.href, url.href);
    await this.#graph(root);
    return root;
  }

  /**
   * Loads the graph of an inline module script, whose imports resolve against `baseURL`.
   * HTML §8.1 "fetch an inline module script graph".
   */
  async loadInline(source: string, baseURL: string): Promise<ModuleRecord> {
    const key = `inline:${this.#inline++}`;
    const record = this.#newRecord(key, baseURL);
    record.ready = Promise.resolve().then(() => this.#parse(record, source));
    await this.#graph(record);
    return record;
  }

  /** Why a loaded graph cannot run (a fetch, MIME type, syntax or resolution failure), if it cannot. */
  loadError(record: ModuleRecord): unknown {
    return record.state === 'new' ? record.error : undefined;
  }

  /**
   * Evaluates a loaded graph (ECMAScript InnerModuleEvaluation, post-order). Synchronous when no
   * module in it awaits at top level; otherwise returns a promise. Throws/rejects with the first
   * error; the error is reported to the page once.
   * ECMA-262 §16.2.1.5.3 Evaluate(), InnerModuleEvaluation.
   */
  evaluate(record: ModuleRecord): Promise<void> | undefined {
    if (record.error !== undefined && record.state === 'new') throw record.error;
    return this.#evaluate(record);
  }

  /**
   * `import(specifier)` from the module or document at `referrer`.
   * ECMA-262 §13.3.10 import(), with HTML §8.1 HostLoadImportedModule: resolve, fetch the graph, evaluate.
   */
  import(specifier: unknown, referrer: string): Promise<Namespace> {
    return this.#host.promise<Namespace>((resolve, reject) => {
      let url: URL;
      try {
        url = this.resolve(String(specifier), referrer);
      } catch (e) {
        reject(this.#host.pageError(e));
        return;
      }
      this.loadURL(url)
        .then(async (record) => {
          if (record.error !== undefined && record.state === 'new') throw record.error;
          await this.#evaluate(record);
          return record.namespace;
        })
        .then(resolve, (e: unknown) => reject(this.#host.pageError(e)));
    });
  }

  #newRecord(key: string, url: string): ModuleRecord {
    const namespace = Object.create(null) as Namespace;
    Object.defineProperty(namespace, Symbol.toStringTag, { value: 'Module' });
    return { key, url, ready: Promise.resolve(), deps: [], state: 'new', getters: new Map(), namespace };
  }

  /**
   * The module map entry for `url`, fetching it on first use.
   * HTML §8.1 "fetch a single module script": a 2xx status and a JavaScript MIME type.
   */
  #record(key: string, url: string): ModuleRecord {
    let record = this.#map.get(key);
    if (record) return record;
    const created = this.#newRecord(key, url);
    record = created;
    this.#map.set(key, created);
    created.ready = this.#host.fetch(new URL(url)).then(
      (res) => {
        if (res.status < 200 || res.status > 299) {
          created.error = new TypeError(`Failed to load module script ${url}: the server responded with status ${res.status}.`);
          return;
        }
        const essence = res.contentType.split(';')[0]!.trim().toLowerCase();
        if (!JS_MIME.test(essence)) {
          // HTML "fetch a single module script" step 13: module scripts need a JavaScript MIME type.
          created.error = new TypeError(
            `Failed to load module script ${url}: Expected a JavaScript module script but the server responded with a MIME type of "${essence}". Strict MIME type checking is enforced for module scripts per HTML spec.`,
          );
          return;
        }
        this.#parse(created, res.body);
      },
      (e: unknown) => {
        created.error = new TypeError(`Failed to fetch module script ${url}: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    return record;
  }

  #parse(record: ModuleRecord, source: string): void {
    try {
      const { code, requests } = transformModule(source);
      record.code = code;
      record.deps = requests.map((specifier) => {
        const url = this.resolve(specifier, record.url);
        return this.#record(url.href, url.href);
      });
    } catch (e) {
      record.error = e;
    }
  }

  /**
   * Waits until every module reachable from `root` is fetched and parsed.
   * HTML §8.1 "fetch the descendants of and link a module script".
   */
  async #graph(root: ModuleRecord): Promise<void> {
    const seen = new Set<ModuleRecord>();
    const visit = async (record: ModuleRecord): Promise<void> => {
      if (seen.has(record)) return;
      seen.add(record);
      await record.ready;
      await Promise.all(record.deps.map(visit));
    };
    await visit(root);
    // The first failure anywhere in the graph fails the root (HTML "fetch the descendants").
    for (const record of seen) {
      if (record.error !== undefined && record.state === 'new' && root.error === undefined) root.error = record.error;
    }
  }

  #evaluate(record: ModuleRecord): Promise<void> | undefined {
    switch (record.state) {
      case 'evaluated':
        return record.evaluation;
      case 'errored':
        throw record.error;
      case 'evaluating':
        return undefined; // a cycle: the module is already on the stack
      case 'new':
        break;
    }
    record.state = 'evaluating';
    const fail = (e: unknown): never => {
      if (record.state !== 'errored') {
        record.state = 'errored';
        record.error = e;
      }
      throw e;
    };
    try {
      const waits: Promise<void>[] = [];
      for (const dep of record.deps) {
        const p = this.#evaluate(dep);
        if (p) waits.push(p);
      }
      if (waits.length > 0) {
        record.evaluation = Promise.all(waits).then(() => this.#run(record)).catch(fail);
      } else {
        const p = this.#run(record);
        if (p) record.evaluation = p.catch(fail);
      }
      if (record.state === 'evaluating') record.state = 'evaluated';
      record.evaluation?.catch(() => {});
      return record.evaluation;
    } catch (e) {
      return fail(e);
    }
  }

  /** Runs one module's body: undefined when it finished synchronously, else its completion. */
  #run(record: ModuleRecord): Promise<void> | undefined {
    if (record.code === undefined) throw record.error ?? new Error(`Module ${record.url} was not loaded.`);
    let fn: unknown;
    try {
      fn = this.#host.evaluate(record.code, record.key.startsWith('inline:') ? record.url : record.key);
    } catch (e) {
      this.#host.reportError(e, record.url);
      throw e;
    }
    if (typeof fn !== 'function') throw new Error(`Module ${record.url} did not compile to a function.`);
    let finished = false;
    const api = this.#api(record, () => {
      finished = true;
    });
    const completion = (fn as (api: unknown) => PromiseLike<void>)(api);
    if (finished) return undefined;
    // Suspended at a top-level await, or threw: the returned promise tells which.
    return Promise.resolve(completion).then(
      () => undefined,
      (e: unknown) => {
        this.#host.reportError(e, record.url);
        throw e;
      },
    );
  }

  /** The object a transformed module calls (named by API in the transform). */
  #api(record: ModuleRecord, done: () => void): object {
    const define = (name: string, getter: () => unknown): void => {
      if (record.getters.has(name)) return;
      record.getters.set(name, getter);
      Object.defineProperty(record.namespace, name, { enumerable: true, get: getter });
    };
    const dep = (k: number): ModuleRecord => {
      const d = record.deps[k];
      if (d === undefined) throw new Error(`fedkit module loader: no dependency #${k} in ${record.url}`);
      return d;
    };
    const meta = Object.create(null) as Record<string, unknown>;
    meta['url'] = record.url;
    meta['resolve'] = (specifier: unknown): string => this.resolve(String(specifier), record.url).href;
    return {
      meta,
      done,
      exports: (getters: Record<string, () => unknown>): void => {
        for (const [name, getter] of Object.entries(getters)) define(name, getter);
      },
      ns: (k: number): Namespace => dep(k).namespace,
      get: (k: number, name: string): unknown => {
        const d = dep(k);
        const getter = d.getters.get(name);
        if (getter === undefined) {
          throw new SyntaxError(`The requested module '${d.url}' does not provide an export named '${name}'`);
        }
        return getter();
      },
      reexport: (k: number, imported: string | null, exported: string): void => {
        const d = dep(k);
        if (imported === null) {
          define(exported, () => d.namespace);
          return;
        }
        define(exported, () => {
          const getter = d.getters.get(imported);
          if (getter === undefined) throw new SyntaxError(`The requested module '${d.url}' does not provide an export named '${imported}'`);
          return getter();
        });
      },
      star: (k: number): void => {
        const d = dep(k);
        for (const [name, getter] of d.getters) if (name !== 'default') define(name, getter);
      },
      import: (specifier: unknown): Promise<Namespace> => this.import(specifier, record.url),
    };
  }
}

function tryURL(input: string, base?: string): URL | undefined {
  try {
    return new URL(input, base);
  } catch {
    return undefined;
  }
}
