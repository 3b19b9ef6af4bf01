// A response's headers as a Fetch `Headers`, read straight from the header list as it came (the
// raw name/value strings of one response head, dispatch-response.ts) until someone needs the real
// thing. Every response the agent receives has its headers read a few times by name (the
// fetcher's Set-Cookie and Location, Content-Length, Content-Type for JSON, CORS, Set-Login),
// while a Node 20 `Headers` built from the list costs ~1.5 µs a response (each name validated,
// lower-cased and kept in its map); reading the list costs ~0.15 µs (issue 15 §3: measured side
// by side, six headers, five reads). Anything else (iteration, a mutation, `new Headers(h)`, a
// Response made from it, util.inspect) fills the real `Headers` first, once, and goes on from it,
// so what a caller sees is what `Headers` would show.
//
// Fetch §5.2 "get" and "getSetCookie()", on a header list: names compare byte-case-insensitively,
// the values of one name combine with ", " in list order, and values are normalized (leading and
// trailing HTTP whitespace removed) as `Headers.append` would store them (common/header-syntax.ts).

import { isHeaderName, normalizeHeaderValue } from '../../common/header-syntax.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class WireHeaders extends Headers {
  /** The raw list (name, value, name, value…) while the Headers itself is still empty. */
  #raw: readonly string[] | undefined;

  constructor(raw: readonly string[]) {
    super();
    this.#raw = raw;
  }

  /** Moves the raw list into the Headers (Headers.append on each pair, as it was built before). */
  #fill(): void {
    const raw = this.#raw;
    if (raw === undefined) return;
    this.#raw = undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) super.append(raw[i]!, raw[i + 1]!);
  }

  /** Fetch §5.2 get(name): the combined value of `name`, or null. */
  override get(name: string): string | null {
    const raw = this.#raw;
    if (raw === undefined || !isHeaderName(name)) return super.get(name);
    const want = name.toLowerCase();
    let out: string | null = null;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const n = raw[i]!;
      if (n.length === want.length && n.toLowerCase() === want) out = out === null ? normalizeHeaderValue(raw[i + 1]!) : `${out}, ${normalizeHeaderValue(raw[i + 1]!)}`;
    }
    return out;
  }

  /** Fetch §5.2 getSetCookie(): every Set-Cookie value, in order, never combined. */
  override getSetCookie(): string[] {
    const raw = this.#raw;
    if (raw === undefined) return super.getSetCookie();
    const out: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const n = raw[i]!;
      if (n.length === 10 && n.toLowerCase() === 'set-cookie') out.push(normalizeHeaderValue(raw[i + 1]!));
    }
    return out;
  }

  override has(name: string): boolean {
    const raw = this.#raw;
    if (raw === undefined || !isHeaderName(name)) return super.has(name);
    const want = name.toLowerCase();
    for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.length === want.length && raw[i]!.toLowerCase() === want) return true;
    return false;
  }

  override append(name: string, value: string): void {
    this.#fill();
    super.append(name, value);
  }

  override set(name: string, value: string): void {
    this.#fill();
    super.set(name, value);
  }

  override delete(name: string): void {
    this.#fill();
    super.delete(name);
  }

  override forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    this.#fill();
    super.forEach(callback, thisArg);
  }

  override entries(): ReturnType<Headers['entries']> {
    this.#fill();
    return super.entries();
  }

  override keys(): ReturnType<Headers['keys']> {
    this.#fill();
    return super.keys();
  }

  override values(): ReturnType<Headers['values']> {
    this.#fill();
    return super.values();
  }

  override [Symbol.iterator](): ReturnType<Headers['entries']> {
    this.#fill();
    return super.entries();
  }

  /** util.inspect shows the filled Headers (Headers' own inspect reads its internal list). */
  [INSPECT](...args: unknown[]): unknown {
    this.#fill();
    const inspect = (Headers.prototype as unknown as Record<symbol, ((...a: unknown[]) => unknown) | undefined>)[INSPECT];
    return inspect === undefined ? this : inspect.apply(this, args);
  }
}
