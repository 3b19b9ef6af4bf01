// The module rewriter: an ES module's source becomes the source of an async function that the
// module loader (module-loader.ts) compiles in the page's realm. Top-level `import` declarations
// become bindings read from the loader, `export` declarations register getters, and `import()`
// and `import.meta` (wherever they appear) go to the loader. Only the declarations are touched,
// found with the tokenizer (module-tokenizer.ts); everything else stays where it was, line for
// line, so that stack traces and line numbers match the source. Import attributes
// (`with { type: 'json' }`) are not supported.

import { ModuleSyntaxError, stringValue, tokenize, type Token, type TokenType } from './module-tokenizer.js';

export { ModuleSyntaxError };

/** What `transformModule` produces. */
export interface TransformedModule {
  /** A script whose completion value is the module function `(api) => Promise<void>`. */
  code: string;
  /** The module requests (specifiers) in source order, without duplicates. */
  requests: string[];
}

/** The parameter through which a transformed module reaches its loader. */
const API = '__fedkit_module$';
const DEFAULT_LOCAL = '__fedkit_default$';

/** Tokens after which a line break does not end the statement (no ASI), or that continue one. */
const CONTINUES = new Set([
  '.', '?.', ',', '=', '+', '-', '*', '/', '%', '**', '==', '===', '!=', '!==', '<', '>', '<=', '>=', '&&', '||', '??', '&', '|', '^',
  '?', ':', '(', '[', '=>', '+=', '-=', '*=', '/=', '%=', '**=', '<<', '>>', '>>>', '<<=', '>>=', '>>>=', '&=', '|=', '^=', '&&=', '||=', '??=',
]);

function endsExpression(t: Token): boolean {
  if (t.type === 'punct') return t.value === ')' || t.value === ']' || t.value === '}' || t.value === '++' || t.value === '--';
  if (t.type === 'template') return !t.value.endsWith('${');
  return true;
}

function continuesExpression(t: Token): boolean {
  if (t.type === 'punct') return CONTINUES.has(t.value);
  if (t.type === 'template') return true; // a tagged template
  return t.type === 'name' && (t.value === 'in' || t.value === 'instanceof');
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Only the line breaks of `text`, so that removing it keeps every later line where it was. */
function lineBreaks(text: string): string {
  return text.replace(/[^\n]/g, '');
}

/** A JavaScript string literal for `s`. */
const lit = (s: string): string => JSON.stringify(s);

/**
 * Rewrites an ES module into a function for the module loader: top-level `import` declarations
 * become bindings read from the loader, `export` declarations register getters (live, so that
 * `import * as ns` sees later changes), `import()` and `import.meta` go to the loader.
 * ECMA-262 §16.2.2 Imports and §16.2.3 Exports, with import() and import.meta (§13.3.10, §13.3.12).
 */
export function transformModule(source: string): TransformedModule {
  const tokens = tokenize(source);
  const edits: Edit[] = [];
  const requests: string[] = [];
  const prelude: string[] = [];
  const getters: string[] = [];
  const request = (specifier: string): number => {
    let k = requests.indexOf(specifier);
    if (k === -1) k = requests.push(specifier) - 1;
    return k;
  };
  const at = (j: number): Token | undefined => tokens[j];
  const is = (j: number, type: TokenType, value?: string): boolean => {
    const t = tokens[j];
    return t !== undefined && t.type === type && (value === undefined || t.value === value);
  };
  const fail = (j: number, what: string): never => {
    const t = tokens[j];
    const offset = t?.start ?? source.length;
    const line = source.slice(0, offset).split(/\r\n|[\n\r\u2028\u2029]/).length;
    throw new ModuleSyntaxError(`${what} (line ${line}${t ? `, at ${JSON.stringify(t.value)}` : ''})`);
  };
  const expectString = (j: number): string => {
    if (!is(j, 'string')) fail(j, 'Expected a module specifier string');
    return stringValue(tokens[j]!.value);
  };
  /** The name in `{ name as alias }` lists: an identifier or a string. */
  const moduleExportName = (j: number): string => {
    const t = tokens[j];
    if (t?.type === 'name') return t.value;
    if (t?.type === 'string') return stringValue(t.value);
    return fail(j, 'Expected a name');
  };
  /** Index of the closer matching the opener at `j`. */
  const matching = (j: number): number => {
    const open = tokens[j]!;
    const close = open.value === '{' ? '}' : open.value === '(' ? ')' : ']';
    for (let k = j + 1; k < tokens.length; k++) {
      const t = tokens[k]!;
      if (t.depth === open.depth && t.type === 'punct' && t.value === close) return k;
    }
    return fail(j, `Unclosed ${open.value}`);
  };
  /** Skips `with { … }` import attributes and a `;`; returns the index of the last token of the statement. */
  const statementEnd = (j: number): number => {
    let k = j;
    if (is(k + 1, 'name', 'with') || (is(k + 1, 'name', 'assert') && !at(k + 1)!.nl)) {
      if (!is(k + 2, 'punct', '{')) fail(k + 2, 'Expected import attributes');
      const close = matching(k + 2);
      const body = tokens.slice(k + 3, close).map((t) => t.value).join(' ');
      if (body.trim() !== '') fail(k + 1, `Import attributes are not supported by fedkit's module loader (${body})`);
      k = close;
    }
    if (is(k + 1, 'punct', ';')) k++;
    return k;
  };
  /** Replaces tokens `from`..`to` (inclusive) with `text`, keeping the line breaks. */
  const replace = (from: number, to: number, text: string): void => {
    const start = tokens[from]!.start;
    const end = tokens[to]!.end;
    edits.push({ start, end, text: text + lineBreaks(source.slice(start, end)) });
  };
  /** Skips an expression at `depth` starting at `j`, stopping before any of `stops` or at the end of the statement. */
  const skipExpression = (j: number, depth: number, stops: readonly string[]): number => {
    let k = j;
    while (k < tokens.length) {
      const t = tokens[k]!;
      if (t.depth < depth) return k;
      if (t.depth === depth) {
        if (t.type === 'punct' && (stops.includes(t.value) || t.value === ';')) return k;
        const prev = tokens[k - 1];
        if (k > j && t.nl && prev !== undefined && prev.depth <= depth && endsExpression(prev) && !continuesExpression(t)) return k;
      }
      k++;
    }
    return k;
  };
  /** Collects the names a binding pattern (identifier, object or array pattern) declares. */
  const bindingNames = (j: number, names: string[]): number => {
    const t = tokens[j];
    if (t?.type === 'name') {
      names.push(t.value);
      return j + 1;
    }
    if (t?.type === 'punct' && (t.value === '{' || t.value === '[')) {
      const close = matching(j);
      const inner = t.depth + 1;
      let k = j + 1;
      while (k < close) {
        const u = tokens[k]!;
        if (u.type === 'punct' && u.value === ',') {
          k++;
          continue;
        }
        if (u.type === 'punct' && u.value === '...') {
          k = bindingNames(k + 1, names);
          continue;
        }
        if (t.value === '{') {
          // key: pattern | shorthand [= default]
          let key = k;
          if (u.type === 'punct' && u.value === '[') key = matching(k);
          if (is(key + 1, 'punct', ':')) {
            k = bindingNames(key + 2, names);
          } else {
            if (u.type !== 'name') fail(k, 'Unsupported binding pattern');
            names.push(u.value);
            k = key + 1;
          }
        } else {
          k = bindingNames(k, names);
        }
        if (is(k, 'punct', '=')) k = skipExpression(k + 1, inner, [',']);
      }
      return close + 1;
    }
    return fail(j, 'Expected a binding name');
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type !== 'name') continue;
    const prev = tokens[i - 1];
    // `obj.import`, `obj?.export`: a property, not a keyword.
    if (prev?.type === 'punct' && (prev.value === '.' || prev.value === '?.')) continue;

    if (t.value === 'import') {
      if (is(i + 1, 'punct', '.') && is(i + 2, 'name', 'meta')) {
        replace(i, i + 2, `${API}.meta`);
        i += 2;
        continue;
      }
      if (is(i + 1, 'punct', '(')) {
        replace(i, i, `${API}.import`);
        continue;
      }
      if (is(i + 1, 'punct', ':')) continue; // an object key
      if (t.depth !== 0) continue;
      // ImportDeclaration (ECMA-262 §16.2.2).
      let j = i + 1;
      if (is(j, 'string')) {
        const k = request(expectString(j));
        const end = statementEnd(j);
        replace(i, end, '');
        prelude.push(`${API}.ns(${k});`);
        i = end;
        continue;
      }
      /** [local, imported] */
      const bindings: [string, string][] = [];
      let namespace: string | undefined;
      if (is(j, 'name') && !(at(j)!.value === 'from' && is(j + 1, 'string'))) {
        bindings.push([at(j)!.value, 'default']);
        j++;
        if (is(j, 'punct', ',')) j++;
      }
      if (is(j, 'punct', '*')) {
        if (!is(j + 1, 'name', 'as') || !is(j + 2, 'name')) fail(j, 'Expected "* as name"');
        namespace = at(j + 2)!.value;
        j += 3;
      } else if (is(j, 'punct', '{')) {
        const close = matching(j);
        let k = j + 1;
        while (k < close) {
          if (is(k, 'punct', ',')) {
            k++;
            continue;
          }
          const imported = moduleExportName(k);
          let local = imported;
          if (is(k + 1, 'name', 'as')) {
            if (!is(k + 2, 'name')) fail(k + 2, 'Expected a local name');
            local = at(k + 2)!.value;
            k += 3;
          } else {
            if (!is(k, 'name')) fail(k, 'A string import name needs "as"');
            k++;
          }
          bindings.push([local, imported]);
        }
        j = close + 1;
      }
      if (!is(j, 'name', 'from')) fail(j, 'Expected "from"');
      const k = request(expectString(j + 1));
      const end = statementEnd(j + 1);
      replace(i, end, '');
      const decls = bindings.map(([local, imported]) => `${local} = ${API}.get(${k}, ${lit(imported)})`);
      if (namespace !== undefined) decls.push(`${namespace} = ${API}.ns(${k})`);
      prelude.push(decls.length > 0 ? `const ${decls.join(', ')};` : `${API}.ns(${k});`);
      i = end;
      continue;
    }

    if (t.value === 'export' && t.depth === 0) {
      if (is(i + 1, 'punct', ':')) continue;
      const j = i + 1;
      const n = at(j);
      if (n === undefined) fail(j, 'Unexpected end after export');
      // export * from 'x' / export * as ns from 'x'
      if (n!.type === 'punct' && n!.value === '*') {
        let k = j + 1;
        let as: string | undefined;
        if (is(k, 'name', 'as')) {
          as = moduleExportName(k + 1);
          k += 2;
        }
        if (!is(k, 'name', 'from')) fail(k, 'Expected "from"');
        const dep = request(expectString(k + 1));
        const end = statementEnd(k + 1);
        replace(i, end, '');
        prelude.push(as === undefined ? `${API}.star(${dep});` : `${API}.reexport(${dep}, null, ${lit(as)});`);
        i = end;
        continue;
      }
      // export { a, b as c } [from 'x']
      if (n!.type === 'punct' && n!.value === '{') {
        const close = matching(j);
        const pairs: [string, string][] = [];
        let k = j + 1;
        while (k < close) {
          if (is(k, 'punct', ',')) {
            k++;
            continue;
          }
          const local = moduleExportName(k);
          let exported = local;
          if (is(k + 1, 'name', 'as')) {
            exported = moduleExportName(k + 2);
            k += 3;
          } else {
            k++;
          }
          pairs.push([local, exported]);
        }
        let end: number;
        if (is(close + 1, 'name', 'from')) {
          const dep = request(expectString(close + 2));
          end = statementEnd(close + 2);
          for (const [imported, exported] of pairs) prelude.push(`${API}.reexport(${dep}, ${lit(imported)}, ${lit(exported)});`);
        } else {
          end = is(close + 1, 'punct', ';') ? close + 1 : close;
          for (const [local, exported] of pairs) getters.push(`${lit(exported)}: () => ${local}`);
        }
        replace(i, end, '');
        i = end;
        continue;
      }
      if (n!.type === 'name' && n!.value === 'default') {
        const d = j + 1;
        const isAsyncFunction = is(d, 'name', 'async') && is(d + 1, 'name', 'function') && !at(d + 1)!.nl;
        const fn = is(d, 'name', 'function') ? d : isAsyncFunction ? d + 1 : -1;
        const cls = is(d, 'name', 'class') ? d : -1;
        if (fn !== -1 || cls !== -1) {
          let nameAt = fn !== -1 ? fn + 1 : cls + 1;
          if (fn !== -1 && is(nameAt, 'punct', '*')) nameAt++;
          const named = is(nameAt, 'name') && !(cls !== -1 && at(nameAt)!.value === 'extends');
          if (named) {
            // A named declaration keeps its name and hoisting; only "export default" goes.
            replace(i, j, '');
            getters.push(`"default": () => ${at(nameAt)!.value}`);
            i = j;
            continue;
          }
          // An anonymous declaration becomes an expression; its body's closing brace ends it.
          const depth = at(d)!.depth;
          let k = d + 1;
          if (fn !== -1) {
            while (k < tokens.length && !(at(k)!.depth === depth && is(k, 'punct', '('))) k++;
            k = matching(k) + 1;
          }
          while (k < tokens.length && !(at(k)!.depth === depth && is(k, 'punct', '{'))) k++;
          if (k >= tokens.length) fail(d, 'Expected a body');
          const close = matching(k);
          replace(i, j, `const ${DEFAULT_LOCAL} = `);
          edits.push({ start: at(close)!.end, end: at(close)!.end, text: ';' });
          getters.push(`"default": () => ${DEFAULT_LOCAL}`);
          i = j; // the body is scanned too: it may use import() or import.meta
          continue;
        }
        replace(i, j, `const ${DEFAULT_LOCAL} = `);
        getters.push(`"default": () => ${DEFAULT_LOCAL}`);
        i = j;
        continue;
      }
      if (n!.type === 'name' && (n!.value === 'const' || n!.value === 'let' || n!.value === 'var')) {
        const names: string[] = [];
        let k = j + 1;
        for (;;) {
          k = bindingNames(k, names);
          if (is(k, 'punct', '=')) k = skipExpression(k + 1, 0, [',']);
          if (is(k, 'punct', ',')) {
            k++;
            continue;
          }
          break;
        }
        replace(i, i, '');
        for (const name of names) getters.push(`${lit(name)}: () => ${name}`);
        continue;
      }
      const isAsyncFunction = is(j, 'name', 'async') && is(j + 1, 'name', 'function');
      if (is(j, 'name', 'function') || is(j, 'name', 'class') || isAsyncFunction) {
        let nameAt = isAsyncFunction ? j + 2 : j + 1;
        if (is(nameAt, 'punct', '*')) nameAt++;
        if (!is(nameAt, 'name')) fail(nameAt, 'An exported declaration needs a name');
        replace(i, i, '');
        getters.push(`${lit(at(nameAt)!.value)}: () => ${at(nameAt)!.value}`);
        continue;
      }
      fail(j, 'Unsupported export');
    }
  }

  edits.sort((a, b) => b.start - a.start);
  let body = source;
  for (const e of edits) body = body.slice(0, e.start) + e.text + body.slice(e.end);
  const exports = getters.length > 0 ? `${API}.exports({ ${getters.join(', ')} });` : '';
  // One line of prelude before the module's first line: line numbers stay those of the source.
  const code = `(async function (${API}) {"use strict";${exports}${prelude.join('')}${body}\n;${API}.done();\n})`;
  return { code, requests };
}
