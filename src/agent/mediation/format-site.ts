// How a site is named in dialog titles, for every credential type's dialogs.

import { registrableDomain } from '../../common/site.js';

/** Past this many origins the memo starts again (a pure function of the string, so only its size matters). */
const MAX_ENTRIES = 256;
const formatted = new Map<string, string>();

/**
 * Chromium's FormatOriginForDisplay for FedCM and the credential prompts: the eTLD+1 of the
 * origin's host (hosts such as localhost and IP addresses verbatim), without scheme or port.
 * Memoized: every dialog names the same few origins, and each is a URL parse and a Public Suffix
 * List lookup (tldts).
 */
export function formatSite(origin: string): string {
  const known = formatted.get(origin);
  if (known !== undefined) return known;
  const result = URL.canParse(origin) ? registrableDomain(new URL(origin).hostname) : origin;
  if (formatted.size >= MAX_ENTRIES) formatted.clear();
  formatted.set(origin, result);
  return result;
}
