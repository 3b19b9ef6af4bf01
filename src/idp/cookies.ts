// Cookie parsing and the two cookies the IdP sets.

/** Parses a Cookie header; the first of two same-named cookies wins (RFC 6265 §5.4 order). */
export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (header === null) return out;
  for (const piece of header.split(';')) {
    const eq = piece.indexOf('=');
    if (eq === -1) continue;
    const name = piece.slice(0, eq).trim();
    const value = piece.slice(eq + 1).trim();
    if (name !== '' && !out.has(name)) out.set(name, value);
  }
  return out;
}

export interface CookieAttributes {
  maxAgeSeconds?: number;
  sameSite: 'None' | 'Lax' | 'Strict';
  secure: boolean;
}

/** Path=/ and HttpOnly always: the IdP's cookies are for its server, never for page scripts. */
export function serializeCookie(name: string, value: string, attrs: CookieAttributes): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', `SameSite=${attrs.sameSite}`];
  if (attrs.secure) parts.push('Secure');
  if (attrs.maxAgeSeconds !== undefined) parts.push(`Max-Age=${attrs.maxAgeSeconds}`);
  return parts.join('; ');
}
