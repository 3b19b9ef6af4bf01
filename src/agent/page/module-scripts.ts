// ES module scripts for pages run with jsdom (scripts.ts).
//
// jsdom 28 does not run `<script type="module">` (HTMLScriptElement-impl.js: "TODO: implement
// modules") and Node 20's `vm.SourceTextModule` exists only behind --experimental-vm-modules, so
// fedkit loads module graphs itself:
//
// - each module is fetched through the agent (HTML "fetch a single module script": CORS mode,
//   credentials same-origin, a JavaScript MIME type required),
// - its top-level `import` / `export` declarations are rewritten by `transformModule` (a small
//   tokenizer, not a full parser: strings, comments, templates and regular expressions are
//   skipped correctly, so only real declarations are touched), and `import()` / `import.meta` are
//   rewritten wherever they appear,
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

/** What `transformModule` produces. */
export interface TransformedModule {
  /** A script whose completion value is the module function `(api) => Promise<void>`. */
  code: string;
  /** The module requests (specifiers) in source order, without duplicates. */
  requests: string[];
}

/** Thrown for module source the transform cannot handle; reported like a SyntaxError. */
export class ModuleSyntaxError extends SyntaxError {
  override readonly name = 'SyntaxError';
}

// ---------------------------------------------------------------------------------------------
// Tokenizer (ECMA-262 §12, reduced to what finding declarations needs)

type TokenType = 'name' | 'punct' | 'string' | 'template' | 'regex' | 'number';

interface Token {
  type: TokenType;
  value: string;
  start: number;
  end: number;
  /** A line terminator came between the previous token and this one (ASI, §12.10). */
  nl: boolean;
  /** Bracket nesting: an opener and its closer have the same depth; tokens between are deeper. */
  depth: number;
}

const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '%=', '&=', '|=', '^=', '<<', '>>', '**',
  '{', '}', '(', ')', '[', ']', ';', ',', '<', '>', '+', '-', '*', '%', '&', '|', '^', '!', '~', '?', ':', '=', '.', '@', '#',
];

/** After these keywords a `/` starts a regular expression, not a division. */
const REGEX_AFTER_KEYWORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'extends']);

const ID_START = /[\p{ID_Start}$_\\]/u;
const ID_CONTINUE = /[\p{ID_Continue}$_\\\u200c\u200d]/u;
const NUMBER = /^(?:0[xXoObB][\da-fA-F_]+n?|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?n?)/;
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  /** Open brackets; 'tpl' is a template substitution `${`. */
  const stack: string[] = [];
  let i = 0;
  let nl = false;
  if (source.startsWith('#!')) {
    while (i < source.length && !LINE_TERMINATOR.test(source[i]!)) i++;
  }
  const push = (type: TokenType, start: number, end: number, depth: number): void => {
    tokens.push({ type, value: source.slice(start, end), start, end, nl, depth });
    nl = false;
  };
  const fail = (what: string, at: number): never => {
    const line = source.slice(0, at).split(/\r\n|[\n\r\u2028\u2029]/).length;
    throw new ModuleSyntaxError(`${what} (line ${line})`);
  };
  /** Scans template characters from `from` (just after "`" or "}"); returns the end and whether it ended with "${". */
  const template = (from: number): { end: number; substitution: boolean } => {
    let j = from;
    while (j < source.length) {
      const c = source[j]!;
      if (c === '\\') j += 2;
      else if (c === '`') return { end: j + 1, substitution: false };
      else if (c === '$' && source[j + 1] === '{') return { end: j + 2, substitution: true };
      else j++;
    }
    return fail('Unterminated template literal', from);
  };
  const regexAllowed = (): boolean => {
    const prev = tokens[tokens.length - 1];
    if (prev === undefined) return true;
    switch (prev.type) {
      case 'number':
      case 'string':
      case 'regex':
        return false;
      case 'template':
        // A template head or middle ("…${") is followed by an expression; a whole template or
        // a tail ends one.
        return prev.value.endsWith('${');
      case 'name':
        return REGEX_AFTER_KEYWORD.has(prev.value);
      case 'punct':
        // `}` usually closes a block, after which a statement (maybe a regex) starts.
        return prev.value !== ')' && prev.value !== ']';
    }
  };

  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') {
      nl = true;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\ufeff' || /\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && !LINE_TERMINATOR.test(source[i]!)) i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end === -1) fail('Unterminated comment', i);
      if (LINE_TERMINATOR.test(source.slice(i, end))) nl = true;
      i = end + 2;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      i++;
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\\') i++;
        else if (source[i] === '\n' || source[i] === '\r') fail('Unterminated string', start);
        i++;
      }
      if (i >= source.length) fail('Unterminated string', start);
      i++;
      push('string', start, i, stack.length);
      continue;
    }
    if (c === '`') {
      const t = template(i + 1);
      push('template', start, t.end, stack.length);
      if (t.substitution) stack.push('tpl');
      i = t.end;
      continue;
    }
    if (c === '}' && stack[stack.length - 1] === 'tpl') {
      stack.pop();
      const t = template(i + 1);
      push('template', start, t.end, stack.length);
      if (t.substitution) stack.push('tpl');
      i = t.end;
      continue;
    }
    if (/\d/.test(c) || (c === '.' && /\d/.test(source[i + 1] ?? ''))) {
      const m = NUMBER.exec(source.slice(i, i + 400));
      i += m ? m[0].length : 1;
      push('number', start, i, stack.length);
      continue;
    }
    if (ID_START.test(c) || (c === '#' && ID_START.test(source[i + 1] ?? ''))) {
      i++;
      while (i < source.length && ID_CONTINUE.test(source[i]!)) {
        if (source[i] === '\\') i += 2;
        else i++;
      }
      push('name', start, i, stack.length);
      continue;
    }
    if (c === '/' && regexAllowed()) {
      i++;
      let inClass = false;
      while (i < source.length) {
        const d = source[i]!;
        if (d === '\\') i += 2;
        else if (d === '\n' || d === '\r') fail('Unterminated regular expression', start);
        else if (inClass) {
          if (d === ']') inClass = false;
          i++;
        } else if (d === '[') {
          inClass = true;
          i++;
        } else if (d === '/') break;
        else i++;
      }
      if (i >= source.length) fail('Unterminated regular expression', start);
      i++;
      while (i < source.length && ID_CONTINUE.test(source[i]!)) i++;
      push('regex', start, i, stack.length);
      continue;
    }
    if (c === '/') {
      const end = source[i + 1] === '=' ? i + 2 : i + 1;
      i = end;
      push('punct', start, end, stack.length);
      continue;
    }
    const p = PUNCTUATORS.find((x) => source.startsWith(x, i));
    if (p === undefined) fail(`Unexpected character ${JSON.stringify(c)}`, i);
    i += p!.length;
    if (p === '{' || p === '(' || p === '[') {
      push('punct', start, i, stack.length);
      stack.push(p);
    } else if (p === '}' || p === ')' || p === ']') {
      stack.pop();
      push('punct', start, i, stack.length);
    } else {
      push('punct', start, i, stack.length);
    }
  }
  return tokens;
}

/** The value of a string literal token (§12.9.4), escapes included. */
function stringValue(raw: string): string {
  const body = raw.slice(1, -1);
  return body.replace(/\\(u\{[\da-fA-F]+\}|u[\da-fA-F]{4}|x[\da-fA-F]{2}|\r\n|[\s\S])/g, (_, e: string) => {
    if (e.startsWith('u{')) return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
    if (e.startsWith('u') && e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e.startsWith('x') && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    switch (e) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case '0':
        return '\0';
      case '\n':
      case '\r':
      case '\r\n':
      case '\u2028':
      case '\u2029':
        return '';
      default:
        return e;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The transform

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
      // ImportDeclaration (§16.2.2).
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

// ---------------------------------------------------------------------------------------------
// The loader

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

  /** HTML "resolve a module specifier": URLs and relative paths, then the import map. */
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

  /** Loads the graph of an external module script (`<script type=module src>`). */
  async loadURL(url: URL): Promise<ModuleRecord> {
    const root = this.#record(url.href, url.href);
    await this.#graph(root);
    return root;
  }

  /** Loads the graph of an inline module script, whose imports resolve against `baseURL`. */
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
   */
  evaluate(record: ModuleRecord): Promise<void> | undefined {
    if (record.error !== undefined && record.state === 'new') throw record.error;
    return this.#evaluate(record);
  }

  /** `import(specifier)` from the module or document at `referrer`. */
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

  /** The module map entry for `url`, fetching it on first use. */
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

  /** Waits until every module reachable from `root` is fetched and parsed. */
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
