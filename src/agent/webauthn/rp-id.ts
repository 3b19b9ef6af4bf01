// The RP ID rules of the WebAuthn client (WebAuthn §5.1.3 steps 6–8, §5.1.4.1 steps 5–7): the
// caller's effective domain, which must be a domain of an https (or localhost) origin, and the
// RP ID the page may claim, which must equal it or be a registrable domain suffix of it.

import { isIP } from 'node:net';
import { registrableDomain } from '../../common/site.js';
import type { WebAuthnContext } from './client-context.js';
import { BAD_RP_ID, INVALID_DOMAIN, INVALID_PROTOCOL, OPAQUE, report } from './client-errors.js';

/**
 * HTML "is a registrable domain suffix of or is equal to", with the public suffix list via
 * tldts (src/common/site.ts, private registries included, unknown TLDs as one-label suffixes).
 * `rpId` must be a host in canonical form: Chromium compares the string it is given, so
 * "RP.example" or "rp.example:443" do not match rp.example (and would hash differently).
 * WebAuthn §5.1.3 step 8, §5.1.4.1 step 7: the test an RP ID must pass.
 */
export function isRegistrableDomainSuffixOrEqual(rpId: string, host: string): boolean {
  if (rpId === '') return false;
  let parsed: string;
  try {
    parsed = new URL(`https://${rpId}/`).hostname;
  } catch {
    return false;
  }
  if (parsed !== rpId) return false;
  if (rpId === host) return true;
  // Beyond equality only domains qualify, never IP addresses.
  const bare = (h: string): string => (h.startsWith('[') ? h.slice(1, -1) : h);
  if (isIP(bare(rpId)) !== 0 || isIP(bare(host)) !== 0) return false;
  if (!host.endsWith(`.${rpId}`)) return false;
  // The suffix may not be a public suffix: it must be the registrable domain or below it.
  const site = registrableDomain(host);
  return rpId === site || rpId.endsWith(`.${site}`);
}

/**
 * The caller's effective domain, or a thrown SecurityError / NotAllowedError.
 * WebAuthn §5.1.3 steps 6–7, §5.1.4.1 steps 5–6.
 */
function effectiveDomain(ctx: WebAuthnContext): string {
  if (ctx.origin === 'null') {
    report(ctx, 'origin', 'the calling document has an opaque origin.', `${ctx.frame.url.href} is sandboxed or not a tuple origin; WebAuthn needs a real origin.`);
    throw new DOMException(OPAQUE, 'NotAllowedError');
  }
  const url = new URL(ctx.origin);
  const host = url.hostname;
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0 || host === '') {
    report(ctx, 'origin', 'the effective domain is not a valid domain.', `${ctx.origin} has an IP address as its host; WebAuthn needs a domain.`);
    throw new DOMException(INVALID_DOMAIN, 'SecurityError');
  }
  const localhost = host === 'localhost' || host.endsWith('.localhost');
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && localhost))) {
    report(ctx, 'origin', 'WebAuthn needs https (or http on localhost).', `${ctx.origin} is not allowed to use public-key credentials.`);
    throw new DOMException(INVALID_PROTOCOL, 'SecurityError');
  }
  return host;
}

/**
 * The ceremony's RP ID: the effective domain when the options name none, else `requested` (the
 * options' `member`) if it is that domain or a registrable domain suffix of it; else a SecurityError.
 * WebAuthn §5.1.3 steps 6–8, §5.1.4.1 steps 5–7.
 */
export function determineRpId(ctx: WebAuthnContext, requested: string | undefined, member: string): string {
  const domain = effectiveDomain(ctx);
  if (requested === undefined) return domain;
  if (!isRegistrableDomainSuffixOrEqual(requested, domain)) {
    // fedkit does not implement related origin requests (§5.11), so this is final.
    report(ctx, 'rp-id', `${member} "${requested}" is not allowed for ${ctx.origin}.`, `The RP ID must equal "${domain}" or be a registrable domain suffix of it (not a public suffix such as "${domain.split('.').slice(-1)[0] ?? ''}").`);
    throw new DOMException(BAD_RP_ID, 'SecurityError');
  }
  return requested;
}
