// A raw HTTP/1.1 request as the fuzzer sends it: the request line, the header lines in order
// and the body, turned into bytes exactly as given (nothing is added, fixed or refused), and
// printed back unambiguously, byte for byte.

export type HeaderValue = string | Buffer;

export interface RawRequest {
  method: string;
  /** The request-target, as sent: `/path?query`, an absolute URL, `*`, or anything else. */
  target: string;
  /** `HTTP/1.1` unless a case says otherwise. */
  version: string;
  /** In order; a string is sent as its UTF-8 bytes, a Buffer as itself. */
  headers: [string, HeaderValue][];
  body: Buffer;
}

function bytesOf(value: HeaderValue): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

export function encodeRequest(r: RawRequest): Buffer {
  const parts: Buffer[] = [Buffer.from(`${r.method} ${r.target} ${r.version}\r\n`, 'utf8')];
  for (const [name, value] of r.headers) parts.push(Buffer.from(`${name}: `, 'utf8'), bytesOf(value), Buffer.from('\r\n'));
  parts.push(Buffer.from('\r\n'), r.body);
  return Buffer.concat(parts);
}

/** The first value of a header (case-insensitive), as text. */
export function headerOf(r: RawRequest, name: string): string | undefined {
  const found = r.headers.find(([n]) => n.toLowerCase() === name);
  return found === undefined ? undefined : bytesOf(found[1]).toString('utf8');
}

/** Every value of a header (case-insensitive), as text. */
export function headersOf(r: RawRequest, name: string): string[] {
  return r.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => bytesOf(v).toString('utf8'));
}

/**
 * The bytes as a double-quoted string: printable ASCII as itself, `\r` `\n` `\t` `\\` `\"`
 * escaped, every other byte `\xHH`; a line break is printed after each `\n` for reading.
 * Unambiguous: the string decodes back to exactly the bytes (see parseShown).
 */
export function showBytes(buf: Buffer): string {
  let out = '"';
  for (const b of buf) {
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n"\n  "';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x22) out += '\\"';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out + '"';
}

/** The bytes showBytes printed (its lines concatenated). */
export function parseShown(shown: string): Buffer {
  const bytes: number[] = [];
  for (const line of shown.split('\n')) {
    const s = line.trim();
    const inner = s.slice(1, -1);
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i]!;
      if (c !== '\\') {
        bytes.push(c.charCodeAt(0));
        continue;
      }
      const e = inner[++i]!;
      if (e === 'r') bytes.push(0x0d);
      else if (e === 'n') bytes.push(0x0a);
      else if (e === 't') bytes.push(0x09);
      else if (e === 'x') {
        bytes.push(parseInt(inner.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(e.charCodeAt(0));
    }
  }
  return Buffer.from(bytes);
}

/** `application/x-www-form-urlencoded` of pairs, as a form submission encodes it. */
export function formEncode(pairs: readonly (readonly [string, string])[]): string {
  return new URLSearchParams(pairs.map(([k, v]) => [k, v])).toString();
}

/** Percent-encodes the UTF-8 of `s` (lone surrogates become U+FFFD), leaving RFC 3986 unreserved characters. */
export function percentEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
