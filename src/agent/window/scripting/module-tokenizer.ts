// A JavaScript tokenizer (ECMA-262 §12, the lexical grammar), reduced to what finding a module's
// `import` and `export` declarations needs (module-transform.ts): strings, comments, templates
// and regular expressions are skipped correctly, brackets are tracked, and line breaks are noted
// for automatic semicolon insertion. It does not parse: tokens carry their text and position only.

/** Thrown for module source the transform cannot handle; reported like a SyntaxError. */
export class ModuleSyntaxError extends SyntaxError {
  override readonly name = 'SyntaxError';
}

export type TokenType = 'name' | 'punct' | 'string' | 'template' | 'regex' | 'number';

export interface Token {
  type: TokenType;
  value: string;
  start: number;
  end: number;
  /** A line terminator came between the previous token and this one (ASI, ECMA-262 §12.10). */
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

/** Splits module source into tokens (ECMA-262 §12: white space, comments, line terminators, names, punctuators, literals, templates). */
export function tokenize(source: string): Token[] {
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

/** The value of a string literal token (ECMA-262 §12.9.4 "SV"), escapes included. */
export function stringValue(raw: string): string {
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
