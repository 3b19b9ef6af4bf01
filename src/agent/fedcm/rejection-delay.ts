// FedCM §[[DiscoverFromExternalSource]] step "rejection delay": failures that could reveal
// whether the user has an account at the IdP wait a random time before rejecting, so the page
// cannot tell "no account" from "the user dismissed the dialog".

import type { Random } from '../base/clock.js';

/**
 * Chromium GetRandomRejectionTime (desktop): min(60 s, lognormal(μ = 8.6, σ = 1.4)) ms,
 * i.e. a median of about 5.4 s.
 */
export function randomRejectionDelayMs(random: Random): number {
  // Box–Muller; 1 - u keeps the logarithm's argument in (0, 1].
  const u1 = 1 - random();
  const u2 = random();
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.min(60_000, Math.exp(8.6 + 1.4 * z));
}
