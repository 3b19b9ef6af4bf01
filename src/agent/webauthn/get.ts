// PublicKeyCredential's [[DiscoverFromExternalSource]] internal method (WebAuthn §5.1.4.1):
// authentication, modal or conditional (autofill), from the options the container converted to
// the assertion the page receives.
//
// Where the spec leaves the client a choice, fedkit does what Chromium does with virtual
// authenticators (content/browser/webauth/authenticator_common_impl.cc, Blink's
// authentication_credentials_container.cc), including its error messages: a request ends at once
// with NotAllowedError when no authenticator holds a usable credential or the user declines,
// instead of waiting for the timeout.

import { internalConstruct } from '../credentials/contract/credential.js';
import type { Authenticator, CredentialDescriptor, CredentialSummary } from './authenticator.js';
import { expectRpIdHash, parseAuthenticatorData } from './authenticator-data.js';
import { base64urlDecode, base64urlEncode } from './base64url.js';
import { CborError } from './cbor.js';
import { adjustTimeout, ceremony } from './ceremony.js';
import type { ClientEnvironment, WebAuthnContext } from './client-context.js';
import { collectClientData } from './client-data.js';
import { notAllowed, pageError, report } from './client-errors.js';
import { AuthenticatorAssertionResponse, type PublicKeyCredential } from './credential.js';
import type { RequestOptions } from './options.js';
import { determineRpId } from './rp-id.js';

interface Candidate {
  authenticator: Authenticator;
  credentials: CredentialSummary[];
  /** The allowCredentials entries bound to this authenticator (§5.1.4.2 step 3), if a list was given. */
  descriptors?: CredentialDescriptor[];
}

/**
 * PublicKeyCredential's [[DiscoverFromExternalSource]](origin, options, sameOriginWithAncestors).
 * WebAuthn §5.1.4.1, issuing the requests to authenticators as §5.1.4.2 says.
 */
export async function discoverCredential(env: ClientEnvironment, ctx: WebAuthnContext, pk: RequestOptions): Promise<PublicKeyCredential> {
  const conditional = ctx.mediation === 'conditional';
  // Step 3: conditional requests only use discoverable credentials; the allow list becomes a
  // filter, and the request lives as long as the document.
  const credentialIdFilter = conditional ? pk.allowCredentials : [];
  const allowCredentials = conditional ? [] : pk.allowCredentials;
  const lifetime = conditional ? null : adjustTimeout(env, pk.timeout);
  // Chromium rejects credProps outside registration (Blink, AuthenticationCredentialsContainer::get).
  if (pk.extensions?.credProps === true) {
    report(ctx, 'options', 'credProps is a registration extension.', 'Remove extensions.credProps from get() options.');
    throw new DOMException("The 'credProps' extension is only valid when creating a credential", 'NotSupportedError');
  }
  // Steps 5–7.
  const rpId = determineRpId(ctx, pk.rpId, 'rpId');
  // Steps 10–12.
  const { clientDataJSON, hash } = collectClientData(env, ctx, 'webauthn.get', pk.challenge);
  // Step 13.
  if (ctx.signal.aborted) throw ctx.signal.reason;

  const uvRequirement = ['required', 'preferred', 'discouraged'].includes(pk.userVerification) ? pk.userVerification : 'preferred';
  const wantedIds = allowCredentials.filter((d) => d.type === 'public-key').map((d) => d.id);

  // §5.1.4.2 steps 1–3 for every authenticator: can it take the request, and with what.
  const candidates = (): Candidate[] => {
    const out: Candidate[] = [];
    for (const authenticator of env.authenticators()) {
      if (uvRequirement === 'required' && !authenticator.hasUserVerification) continue;
      if (allowCredentials.length > 0) {
        const credentials = authenticator.boundCredentials(rpId, wantedIds);
        if (credentials.length === 0) continue;
        const descriptors = allowCredentials.filter((d) => d.type === 'public-key' && credentials.some((c) => c.credentialId === base64urlEncode(d.id)));
        out.push({ authenticator, credentials, descriptors });
      } else {
        const credentials = authenticator.discoverableCredentials(rpId);
        if (credentials.length > 0) out.push({ authenticator, credentials });
      }
    }
    return out;
  };

  const assert = async (candidate: Candidate, credentialId: string, descriptors: CredentialDescriptor[] | undefined, signal: AbortSignal): Promise<PublicKeyCredential> => {
    const { authenticator } = candidate;
    const requireUserVerification = uvRequirement === 'required' || (uvRequirement === 'preferred' && authenticator.hasUserVerification);
    // savedCredentialIds (§5.1.4.2 step 3.4): with a single allowed credential the
    // authenticator does not repeat its ID.
    const saved = descriptors?.length === 1 ? descriptors[0]?.id : undefined;
    let result;
    try {
      result = await authenticator.getAssertion(
        {
          rpId,
          hash,
          ...(descriptors ? { allowCredentialDescriptorList: descriptors } : {}),
          requireUserPresence: true,
          requireUserVerification,
          extensions: new Map(),
          origin: ctx.origin,
          selectedCredentialId: credentialId,
        },
        signal,
      );
    } catch (e) {
      throw pageError(ctx, signal, e, authenticator);
    }
    const rawId = saved ?? result.credentialId;
    try {
      if (!rawId) throw new CborError('The authenticator returned no credential ID', 0);
      const parsed = parseAuthenticatorData(result.authenticatorData);
      expectRpIdHash(parsed, rpId);
      if (parsed.attested) throw new CborError('An assertion must not carry attested credential data (AT flag)', 0);
      if (result.userHandle && (result.userHandle.byteLength === 0 || result.userHandle.byteLength > 64)) throw new CborError('The user handle is not 1–64 bytes', 0);
    } catch (e) {
      report(ctx, 'authenticator', 'the authenticator returned a malformed assertion.', `Authenticator ${authenticator.id}: ${e instanceof Error ? e.message : String(e)}`);
      throw notAllowed();
    }
    return env.credential({
      rawId,
      authenticatorAttachment: authenticator.attachment,
      clientExtensionResults: {},
      response: new AuthenticatorAssertionResponse(internalConstruct, {
        clientDataJSON,
        authenticatorData: result.authenticatorData,
        signature: result.signature,
        userHandle: result.userHandle,
      }),
    });
  };

  return ceremony(ctx, lifetime, async (signal) => {
    if (conditional) {
      // silentCredentialDiscovery (§6.3.5) on each authenticator, filtered by credentialIdFilter;
      // the request then waits for the user to pick one from the autofill list.
      const filter = credentialIdFilter.map((d) => base64urlEncode(d.id));
      const offered = (): { candidate: Candidate; credential: CredentialSummary }[] =>
        candidates().flatMap((candidate) =>
          candidate.credentials.filter((c) => filter.length === 0 || filter.includes(c.credentialId)).map((credential) => ({ candidate, credential })),
        );
      for (;;) {
        const picked = await env.conditionalSelection({ origin: ctx.origin, rpId, candidates: () => offered().map((o) => o.credential) }, signal);
        const match = offered().find((o) => o.credential.credentialId === picked);
        const id = base64urlDecode(picked);
        if (!match || !id) {
          // Only a conditionalUi callback can pick outside the list (automation checks).
          report(ctx, 'options', 'the conditional UI picked a credential it was not offered.', `"${picked}" is not among the ${offered().length} credential(s) offered for ${rpId}.`);
          throw notAllowed();
        }
        const credential = await assert(match.candidate, picked, [{ type: 'public-key', id }], signal);
        // After success: the credentialIdFilter and user handle checks. The second check only
        // makes sense for conditional requests (credentialIdFilter is always empty otherwise).
        const response = credential.response as AuthenticatorAssertionResponse;
        if (filter.length > 0 && !filter.includes(credential.id)) continue;
        if (filter.length === 0 && response.userHandle === null) continue;
        return credential;
      }
    }
    for (;;) {
      if (env.authenticators().length === 0) {
        report(ctx, 'no-credentials', 'waiting for an authenticator.', 'The agent has no authenticator; add one with webauthn.automation.addVirtualAuthenticator().', 'info');
        await env.authenticatorsChanged(signal);
        continue;
      }
      const found = candidates();
      if (found.length === 0) {
        // "Indicate to the user that no eligible credential could be found" — Chromium with
        // virtual authenticators fails right away.
        const detail =
          allowCredentials.length > 0
            ? `None of the ${allowCredentials.length} allowCredentials entries is on an authenticator for RP ID "${rpId}"${uvRequirement === 'required' ? ' that can verify the user' : ''}.`
            : `No authenticator holds a discoverable credential for RP ID "${rpId}"${uvRequirement === 'required' ? ' and can verify the user' : ''}.`;
        report(ctx, 'no-credentials', 'no credential is available.', detail);
        throw notAllowed();
      }
      const all = found.flatMap((candidate) => candidate.credentials.map((credential) => ({ candidate, credential })));
      let chosen = all[0];
      if (all.length > 1) {
        const pick = await env.chooseCredential({ origin: ctx.origin, rpId, credentials: all.map((a) => a.credential) }, signal);
        if (pick === null) {
          report(ctx, 'declined', 'the user closed the account chooser.', `${all.length} credentials were offered for ${rpId}.`, 'warning');
          throw notAllowed();
        }
        chosen = all.find((a) => a.credential.credentialId === pick);
      }
      if (!chosen) throw notAllowed();
      return assert(chosen.candidate, chosen.credential.credentialId, chosen.candidate.descriptors, signal);
    }
  });
}
