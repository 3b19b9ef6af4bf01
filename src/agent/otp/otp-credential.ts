// WebOTP (WICG/web-otp): the OTPCredential interface and its [[DiscoverFromExternalSource]] as a
// registry entry. `get({otp: {transport: ['sms']}})` waits for an SMS on the agent's phone
// (sms.ts) whose origin-bound one-time code (message.ts) is addressed to the calling document,
// asks the user to share it, and resolves with the code.

import { isIP } from 'node:net';
import type { AgentCore } from '../core.js';
import { Credential, internalConstruct } from '../credentials/contract/credential.js';
import { dictionary, enumValue, sequence, where } from '../base/webidl.js';
import type { CredentialContext, CredentialType } from '../credentials/contract/credential-type.js';
import { formatSite } from '../mediation/format-site.js';
import { matchOneTimeCode, parseOriginBoundOneTimeCode } from './message.js';

/** WebOTP §2.2 The OTPCredential interface: `id` is "" and `type` is "otp". No constructor. */
export class OTPCredential extends Credential {
  readonly #code: string;

  /** @internal */
  constructor(key: typeof internalConstruct, code: string) {
    super(key, '', 'otp');
    this.#code = code;
  }

  /** The one-time code. */
  get code(): string {
    return this.#code;
  }
}

/** Chromium kMaxUniqueOriginInAncestorChainForWebOTP. */
const MAX_UNIQUE_ORIGINS_IN_CHAIN = 2;


/** WebOTP §2.3 OTPCredentialRequestOptions. */
export interface OTPCredentialRequestOptions {
  transport?: 'sms'[];
}

/** WebOTP §2.3: `sequence<OTPCredentialTransportType> transport = []`; unknown enum values are TypeErrors. */
function convertOtpRequestOptions(value: unknown): Required<OTPCredentialRequestOptions> {
  const d = dictionary(value, 'OTPCredentialRequestOptions', where('otp', 'CredentialRequestOptions'));
  const at = `${where('otp', 'CredentialRequestOptions')}: ${where('transport', 'OTPCredentialRequestOptions')}`;
  const transport = d['transport'];
  return { transport: transport === undefined ? [] : sequence(transport, at, (v) => enumValue(v, ['sms'] as const, 'OTPCredentialTransportType', at)) };
}

/**
 * Chromium AreUniqueOriginsLessOrEqualTo: walking up from the document, count the changes of
 * origin; more than two distinct origins in the chain is refused.
 */
function tooManyOriginsInChain(ctx: CredentialContext): boolean {
  let unique = 1;
  let current = ctx.origin;
  for (const origin of ctx.frame.ancestorOrigins) {
    if (origin !== current || origin === 'null') {
      unique++;
      current = origin;
    }
    if (unique > MAX_UNIQUE_ORIGINS_IN_CHAIN) return true;
  }
  return false;
}

export const otpCredentialType: CredentialType<Required<OTPCredentialRequestOptions>> = {
  type: 'otp',
  optionsMember: 'otp',
  interfaceName: 'OTPCredential',
  discovery: 'remote',
  getPermissionsPolicy: 'otp-credentials',
  mixableWith: [],
  conditionalMediation: false,

  convertRequestOptions: convertOtpRequestOptions,

  /** Chromium's checks after the permissions policy, in its order (AuthenticationCredentialsContainer::get). */
  prepareRequest(ctx: CredentialContext, options) {
    if (tooManyOriginsInChain(ctx)) {
      throw new DOMException('More than two unique origins are detected in the origin chain.', 'NotAllowedError');
    }
    if (!options.transport.includes('sms')) {
      throw new DOMException('Unsupported transport type for OTP Credentials', 'NotSupportedError');
    }
    return options;
  },

  /** WebOTP §2.2.1 [[DiscoverFromExternalSource]]. */
  discoverFromExternalSource(ctx: CredentialContext) {
    if (ctx.origin === 'null') {
      return Promise.reject(new DOMException('OTPCredential is not available to an opaque origin.', 'NotAllowedError'));
    }
    // Step 4: the effective domain must be a valid domain (not an IP address).
    const host = ctx.frame.url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) {
      return Promise.reject(new DOMException(`OTPCredential needs a domain; ${ctx.origin} is an IP address.`, 'SecurityError'));
    }
    if (ctx.signal.aborted) return Promise.reject(ctx.signal.reason);
    return receiveCode(ctx).then((code) => new OTPCredential(internalConstruct, code));
  },

  isInstance: (credential) => credential instanceof OTPCredential,
};

/**
 * Waits for an SMS addressed to this document, then asks the user. Subscribes synchronously, so
 * a message that arrives right after get() returns is seen. Rejects with the page's abort reason,
 * AbortError "OTP retrieval was cancelled." when the user refuses, InvalidStateError "OTP retrieval
 * timed out." after `sms.timeoutMs` (Chromium's messages and error names).
 */
function receiveCode(ctx: CredentialContext): Promise<string> {
  const { core, frame } = ctx;
  return new Promise<string>((resolve, reject) => {
    const timeout = new AbortController();
    let consenting = false;
    let done = false;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      unsubscribe();
      timeout.abort();
      ctx.signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = (): void => finish(() => reject(ctx.signal.reason));
    const unsubscribe = core.sms.subscribe({ origin: ctx.origin, topOrigin: frame.top.origin }, (message) => {
      if (done || consenting) return;
      const otc = parseOriginBoundOneTimeCode(message);
      if (!otc) {
        ignored(core, ctx, 'it is not an origin-bound one-time code message: its last line must be "@<host> #<code>" (or "@<top host> #<code> @<iframe host>" for an iframe).');
        return;
      }
      const match = matchOneTimeCode(otc, ctx.origin, frame.ancestorOrigins);
      if (match !== 'origin') {
        const to = otc.embeddedOrigin ? `${otc.embeddedOrigin} embedded in ${otc.topLevelOrigin}` : otc.topLevelOrigin;
        const expected = frame.parent ? `"@${new URL(frame.top.origin).host} #<code> @${new URL(ctx.origin).host}"` : `"@${new URL(ctx.origin).host} #<code>"`;
        ignored(
          core,
          ctx,
          `it is addressed to ${to}${match === 'site' ? ' (same site, but WebOTP gives codes to the exact origin only)' : ''}; this document would need ${expected}.`,
        );
        return;
      }
      consenting = true;
      timeout.abort();
      void askToShare(ctx, otc.code).then(
        (allowed) =>
          finish(() => {
            if (allowed) resolve(otc.code);
            else reject(new DOMException('OTP retrieval was cancelled.', 'AbortError'));
          }),
        (e: unknown) => finish(() => reject(e)),
      );
    });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    core.clock.sleep(core.sms.timeoutMs, timeout.signal).then(
      () => finish(() => reject(new DOMException('OTP retrieval timed out.', 'InvalidStateError'))),
      () => {},
    );
  });
}

function ignored(core: AgentCore, ctx: CredentialContext, why: string): void {
  // The code itself is never in a diagnostic: it is a credential.
  core.report({
    reason: 'OtpMessageIgnored',
    level: 'warning',
    message: 'An SMS was ignored: it is not for this document.',
    detail: `An SMS arrived while ${ctx.origin} waited for a one-time code, but ${why}`,
    url: ctx.frame.url.href,
  });
}

/** The WebOTP prompt: "Allow" shares the code, anything else refuses. */
function askToShare(ctx: CredentialContext, code: string): Promise<boolean> {
  return ctx.core.dialogs.confirm(
    { dialogType: 'OtpConsent', title: `Use code ${code} on ${formatSite(ctx.origin)}?`, accounts: [], origin: ctx.origin, code },
    'OtpConsentAllow',
    ctx.signal,
  );
}
