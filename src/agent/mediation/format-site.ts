// How a site is named in dialog titles, for every credential type's dialogs.

import { registrableDomain } from '../../common/site.js';

/**
 * Chromium's FormatOriginForDisplay for FedCM and the credential prompts: the eTLD+1 of the
 * origin's host (hosts such as localhost and IP addresses verbatim), without scheme or port.
 */
export function formatSite(origin: string): string {
  return URL.canParse(origin) ? registrableDomain(new URL(origin).hostname) : origin;
}
