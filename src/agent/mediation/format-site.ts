// How a site is named in dialog titles, for every credential type's dialogs.

import { memoized } from '../../common/memo.js';
import { registrableDomain } from '../../common/site.js';

/**
 * Chromium's FormatOriginForDisplay for FedCM and the credential prompts: the eTLD+1 of the
 * origin's host (hosts such as localhost and IP addresses verbatim), without scheme or port.
 * Memoized: every dialog names the same few origins, and each is a URL parse and a Public Suffix
 * List lookup (tldts).
 */
export const formatSite: (origin: string) => string = memoized(
  (origin: string): string => (URL.canParse(origin) ? registrableDomain(new URL(origin).hostname) : origin),
  256,
);
