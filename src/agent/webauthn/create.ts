// PublicKeyCredential's [[Create]] internal method (WebAuthn §5.1.3): registration, from the
// options the container converted to the credential the page receives.
//
// Where the spec leaves the client a choice, fedkit does what Chromium does with virtual
// authenticators (content/browser/webauth/authenticator_common_impl.cc, Blink's
// authentication_credentials_container.cc), including its error messages: a request ends at once
// with NotSupportedError when no authenticator can meet a "required" residentKey or
// userVerification or supports a requested algorithm, and with NotAllowedError when the user
// declines, instead of waiting for the timeout; it waits only while no authenticator (of the
// requested attachment) is there.

import { internalConstruct } from '../credentials/contract/credential.js';
import { parseAttestationObject, type ParsedAttestation } from './authenticator-data.js';
import { encodeCbor } from './cbor.js';
import { adjustTimeout, ceremony } from './ceremony.js';
import type { ClientEnvironment, WebAuthnContext } from './client-context.js';
import { collectClientData } from './client-data.js';
import { ALGORITHM_UNSUPPORTED, notAllowed, pageError, report, RESIDENT_UNSUPPORTED, UV_UNSUPPORTED } from './client-errors.js';
import { decodeCoseKey, spki } from './cose.js';
import { AuthenticatorAttestationResponse, type AuthenticationExtensionsClientOutputs, type PublicKeyCredential } from './credential.js';
import type { CreationOptions } from './options.js';
import { determineRpId } from './rp-id.js';

/**
 * PublicKeyCredential's [[Create]](origin, options, sameOriginWithAncestors).
 * WebAuthn §5.1.3.
 */
export async function createCredential(env: ClientEnvironment, ctx: WebAuthnContext, pk: CreationOptions): Promise<PublicKeyCredential> {
  const { frame } = ctx;
  // Step 2: a cross-origin iframe needs (and consumes) transient activation, and may not use
  // conditional creation.
  if (!ctx.sameOriginWithAncestors) {
    if (ctx.mediation === 'conditional') throw notAllowed();
    if (!frame.hasTransientActivation) {
      report(ctx, 'activation', 'create() in a cross-origin iframe needs a user activation.', `${ctx.origin} is embedded by ${frame.top.origin}; call frame.activate() (a click) before create().`);
      throw new DOMException('A user activation is required to create a credential in a cross-origin iframe.', 'NotAllowedError');
    }
    frame.consumeActivation();
  }
  // Step 4.
  const lifetime = adjustTimeout(env, pk.timeout);
  // Step 5: a user handle is 1 to 64 bytes (§5.4.3).
  if (pk.user.id.byteLength > 64) {
    report(ctx, 'options', 'user.id is longer than 64 bytes.', `user.id has ${pk.user.id.byteLength} bytes; a user handle is at most 64 (§5.4.3).`);
    throw new TypeError('User handle exceeds 64 bytes.');
  }
  if (pk.user.id.byteLength === 0) {
    report(ctx, 'options', 'user.id is empty.', 'A user handle must not be empty (§5.4.3).');
    throw new TypeError('User handle must not be empty.');
  }
  // Steps 6–8.
  const rpId = determineRpId(ctx, pk.rp.id, 'rp.id');
  // Steps 9–10: an empty list means ES256 and RS256; unknown types are skipped.
  const credTypesAndPubKeyAlgs =
    pk.pubKeyCredParams.length === 0
      ? [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -257 },
        ]
      : pk.pubKeyCredParams.filter((p) => p.type === 'public-key');
  if (credTypesAndPubKeyAlgs.length === 0) {
    report(ctx, 'unsupported', 'pubKeyCredParams names no "public-key" entry.', JSON.stringify(pk.pubKeyCredParams));
    throw new DOMException(ALGORITHM_UNSUPPORTED, 'NotSupportedError');
  }
  // Steps 11–12: credProps is a client-only extension; there are no authenticator extensions.
  const clientExtensions = pk.extensions ?? {};
  // Steps 13–15.
  const { clientDataJSON, hash } = collectClientData(env, ctx, 'webauthn.create', pk.challenge);
  // Step 16.
  if (ctx.signal.aborted) throw ctx.signal.reason;
  // Step 19: conditional creation needs a recent mediated sign-in at this origin, which fedkit
  // does not track; getClientCapabilities() reports conditionalCreate: false.
  if (ctx.mediation === 'conditional') {
    report(ctx, 'unsupported', 'conditional create() is not supported.', 'fedkit never has a recently mediated authentication to upgrade; use mediation "optional".', 'warning');
    throw notAllowed();
  }

  const selection = pk.authenticatorSelection;
  const attachment = selection?.authenticatorAttachment === 'platform' || selection?.authenticatorAttachment === 'cross-platform' ? selection.authenticatorAttachment : undefined;
  const residentKey = ['required', 'preferred', 'discouraged'].includes(selection?.residentKey ?? '') ? selection?.residentKey : undefined;
  const rkRequired = residentKey === 'required' || (residentKey === undefined && selection?.requireResidentKey === true);
  const userVerification = ['required', 'preferred', 'discouraged'].includes(selection?.userVerification ?? '') ? (selection?.userVerification ?? 'preferred') : 'preferred';

  // Steps 21–22: start lifetimeTimer; the "while lifetimeTimer has not expired" loop.
  return ceremony(ctx, lifetime, async (signal) => {
    for (;;) {
      const available = env.authenticators();
      let missingResidentKey = false;
      let missingUserVerification = false;
      const eligible = available.filter((a) => {
        if (attachment !== undefined && a.attachment !== attachment) return false;
        if (rkRequired && !a.hasResidentKey) {
          missingResidentKey = true;
          return false;
        }
        if (userVerification === 'required' && !a.hasUserVerification) {
          missingUserVerification = true;
          return false;
        }
        return true;
      });
      if (eligible.length === 0) {
        // Chromium fails these at once (RESIDENT_CREDENTIALS_UNSUPPORTED, USER_VERIFICATION_UNSUPPORTED).
        if (missingResidentKey) {
          report(ctx, 'unsupported', 'no authenticator can store a discoverable credential.', 'authenticatorSelection.residentKey is "required"; add an authenticator with hasResidentKey: true.');
          throw new DOMException(RESIDENT_UNSUPPORTED, 'NotSupportedError');
        }
        if (missingUserVerification) {
          report(ctx, 'unsupported', 'no authenticator can verify the user.', 'authenticatorSelection.userVerification is "required"; add an authenticator with hasUserVerification: true.');
          throw new DOMException(UV_UNSUPPORTED, 'NotSupportedError');
        }
        report(
          ctx,
          'no-credentials',
          'waiting for an authenticator.',
          available.length === 0 ? 'The agent has no authenticator; add one with webauthn.automation.addVirtualAuthenticator().' : `No authenticator has attachment "${attachment ?? ''}".`,
          'info',
        );
        await env.authenticatorsChanged(signal);
        continue;
      }
      const authenticator = eligible.find((a) => credTypesAndPubKeyAlgs.some((p) => a.supportsAlgorithm(p.alg)));
      if (!authenticator) {
        report(ctx, 'unsupported', 'no authenticator supports the requested algorithms.', `pubKeyCredParams: ${credTypesAndPubKeyAlgs.map((p) => p.alg).join(', ')}`);
        throw new DOMException(ALGORITHM_UNSUPPORTED, 'NotSupportedError');
      }
      // The effective resident key and user verification requirements for this authenticator.
      const requireResidentKey = residentKey === 'preferred' ? authenticator.hasResidentKey : rkRequired;
      const requireUserVerification = userVerification === 'required' || (userVerification === 'preferred' && authenticator.hasUserVerification);
      // attestation "none" (or an unknown value, §5.4.7) asks for the none format.
      const conveyance = ['none', 'indirect', 'direct', 'enterprise'].includes(pk.attestation) ? pk.attestation : 'none';
      const attestationFormats = conveyance === 'none' ? ['none'] : pk.attestationFormats;

      let attestationObject: Uint8Array;
      try {
        attestationObject = await authenticator.makeCredential(
          {
            hash,
            rp: { id: rpId, name: pk.rp.name },
            user: pk.user,
            requireResidentKey,
            requireUserPresence: true,
            requireUserVerification,
            credTypesAndPubKeyAlgs,
            excludeCredentialDescriptorList: pk.excludeCredentials,
            enterpriseAttestationPossible: false,
            attestationFormats,
            extensions: new Map(),
            origin: ctx.origin,
          },
          signal,
        );
      } catch (e) {
        throw pageError(ctx, signal, e, authenticator);
      }

      let parsed: ParsedAttestation;
      try {
        parsed = parseAttestationObject(attestationObject, rpId);
      } catch (e) {
        report(ctx, 'authenticator', 'the authenticator returned a malformed attestation object.', `Authenticator ${authenticator.id}: ${e instanceof Error ? e.message : String(e)}`);
        throw notAllowed();
      }
      // constructCredentialAlg step 1: with conveyance "none", anything but self attestation
      // with a zero AAGUID becomes the "none" format (the AAGUID itself is kept, as the spec says).
      if (conveyance === 'none') {
        const zeroAaguid = parsed.parsed.attested.aaguid.every((b) => b === 0);
        const selfAttestation = zeroAaguid && parsed.fmt === 'packed' && !parsed.attStmt.has('x5c');
        if (!selfAttestation && !(parsed.fmt === 'none' && parsed.attStmt.size === 0)) {
          attestationObject = encodeCbor({ fmt: 'none', attStmt: {}, authData: parsed.authData });
        }
      }
      let publicKey: Uint8Array | null;
      let publicKeyAlgorithm: number;
      try {
        const cose = decodeCoseKey(parsed.parsed.attested.credentialPublicKey);
        publicKeyAlgorithm = cose.alg;
        publicKey = cose.publicKey && spki(cose.publicKey);
      } catch (e) {
        report(ctx, 'authenticator', 'the authenticator returned a malformed credential public key.', `Authenticator ${authenticator.id}: ${e instanceof Error ? e.message : String(e)}`);
        throw notAllowed();
      }
      const extensionResults: AuthenticationExtensionsClientOutputs = {};
      if (clientExtensions.credProps === true) extensionResults.credProps = { rk: requireResidentKey };
      return env.credential({
        rawId: parsed.parsed.attested.credentialId,
        authenticatorAttachment: authenticator.attachment,
        clientExtensionResults: extensionResults,
        response: new AuthenticatorAttestationResponse(internalConstruct, {
          clientDataJSON,
          attestationObject,
          transports: authenticator.transports,
          authenticatorData: parsed.authData,
          publicKey,
          publicKeyAlgorithm,
        }),
      });
    }
  });
}
