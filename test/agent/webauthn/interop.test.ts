// An independent relying party, @simplewebauthn/server, accepts the agent's registrations and
// assertions for each algorithm and attestation format, and rejects tampered ones.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON as SwaAuthenticationJSON,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { AuthenticatorAssertionResponse, AuthenticatorAttestationResponse, PublicKeyCredential, decodeCbor, type CborMap } from '../../../src/agent/webauthn/index.js';
import { authenticationJSON, b64, challenge, creationOptions, refused, registrationJSON, RP_ID, RP_ORIGIN, setup, type Setup } from './helpers.js';

const ALGORITHMS = [
  { alg: -7, name: 'ES256' },
  { alg: -8, name: 'EdDSA' },
  { alg: -257, name: 'RS256' },
] as const;

async function register(s: Setup, alg: number, attestation: 'none' | 'direct', extra: Parameters<typeof creationOptions>[0] = {}): Promise<{ credential: WebAuthnCredential; fmt: string; raw: PublicKeyCredential }> {
  const c = challenge(alg & 0xff);
  const raw = await s.webauthn.create(s.page, { publicKey: creationOptions({ challenge: c, pubKeyCredParams: [{ type: 'public-key', alg }], attestation, ...extra }) });
  const result = await verifyRegistrationResponse({ response: registrationJSON(raw), expectedChallenge: b64(c), expectedOrigin: RP_ORIGIN, expectedRPID: RP_ID });
  assert.equal(result.verified, true);
  assert.ok(result.registrationInfo);
  return { credential: result.registrationInfo.credential, fmt: result.registrationInfo.fmt, raw };
}

async function authenticate(s: Setup, credential: WebAuthnCredential, allow: boolean, fill = 9): Promise<{ json: SwaAuthenticationJSON; newCounter: number }> {
  const c = challenge(fill);
  const raw = await s.webauthn.get(s.page, {
    publicKey: { challenge: c, ...(allow ? { allowCredentials: [{ type: 'public-key', id: Buffer.from(credential.id, 'base64url') }] } : {}) },
  });
  const json = authenticationJSON(raw);
  const result = await verifyAuthenticationResponse({ response: json, expectedChallenge: b64(c), expectedOrigin: RP_ORIGIN, expectedRPID: RP_ID, credential });
  assert.equal(result.verified, true);
  return { json, newCounter: result.authenticationInfo.newCounter };
}

describe('@simplewebauthn/server accepts the agent', () => {
  let s: Setup;
  before(async () => {
    s = await setup();
  });
  after(() => s.close());

  for (const { alg, name } of ALGORITHMS) {
    for (const attestation of ['none', 'direct'] as const) {
      it(`${name}, attestation "${attestation}": registration and assertions verify, the counter increases`, async () => {
        const { credential, fmt, raw } = await register(s, alg, attestation);
        assert.equal(fmt, attestation === 'none' ? 'none' : 'packed');
        assert.ok(raw instanceof PublicKeyCredential);
        assert.ok(raw.response instanceof AuthenticatorAttestationResponse);
        assert.equal(raw.response.getPublicKeyAlgorithm(), alg);
        assert.equal(credential.counter, 1, "Chromium's virtual authenticator starts counters at 1");
        const first = await authenticate(s, credential, true);
        assert.equal(first.newCounter, 2);
        const second = await authenticate(s, { ...credential, counter: first.newCounter }, true, 10);
        assert.equal(second.newCounter, 3);
      });
    }
  }

  it('packed self attestation: alg is the credential algorithm, no x5c, signature over authData || hash', async () => {
    const { raw } = await register(s, -8, 'direct');
    assert.ok(raw.response instanceof AuthenticatorAttestationResponse);
    const att = decodeCbor(new Uint8Array(raw.response.attestationObject)) as CborMap;
    assert.equal(att.get('fmt'), 'packed');
    const stmt = att.get('attStmt') as CborMap;
    assert.deepEqual([...stmt.keys()], ['alg', 'sig']);
    assert.equal(stmt.get('alg'), -8);
  });

  it('discoverable credentials: empty allowCredentials returns the user handle', async () => {
    const user = { id: new Uint8Array([9, 9, 9]), name: 'bob', displayName: 'Bob' };
    const { credential } = await register(s, -7, 'none', { user, authenticatorSelection: { residentKey: 'required' } });
    const { json } = await authenticate(s, credential, false);
    assert.equal(json.id, credential.id);
    assert.equal(json.response.userHandle, b64(user.id));
  });

  it('a replayed assertion is rejected (the stored counter has moved on)', async () => {
    const { credential } = await register(s, -7, 'none');
    const { json, newCounter } = await authenticate(s, credential, true);
    assert.ok(await refused(verifyAuthenticationResponse({ response: json, expectedChallenge: b64(challenge(9)), expectedOrigin: RP_ORIGIN, expectedRPID: RP_ID, credential: { ...credential, counter: newCounter } })));
  });

  it('toJSON() round-trips through the JSON helpers: options from the RP, responses back to it', async () => {
    const regOptions = await generateRegistrationOptions({
      rpName: 'RP',
      rpID: RP_ID,
      userName: 'carol',
      userID: new Uint8Array([7, 7]),
      attestationType: 'direct',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      extensions: { credProps: true },
    });
    const created = await s.webauthn.create(s.page, { publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(regOptions) });
    const regJSON = registrationJSON(created);
    // The JSON is what a page would POST: strings only, and it survives JSON.stringify.
    const posted = JSON.parse(JSON.stringify(regJSON)) as typeof regJSON;
    assert.deepEqual(posted.clientExtensionResults, { credProps: { rk: true } });
    assert.deepEqual(posted.response.transports, ['internal']);
    assert.equal(posted.authenticatorAttachment, 'platform');
    assert.deepEqual(Object.keys(posted), ['authenticatorAttachment', 'clientExtensionResults', 'id', 'rawId', 'response', 'type']);
    const reg = await verifyRegistrationResponse({ response: posted, expectedChallenge: regOptions.challenge, expectedOrigin: RP_ORIGIN, expectedRPID: RP_ID, requireUserVerification: true });
    assert.ok(reg.verified && reg.registrationInfo);
    assert.equal(reg.registrationInfo.userVerified, true);

    const authOptions = await generateAuthenticationOptions({ rpID: RP_ID, userVerification: 'required' });
    const asserted = await s.webauthn.get(s.page, { publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(authOptions) });
    assert.ok(asserted.response instanceof AuthenticatorAssertionResponse);
    const authJSON = JSON.parse(JSON.stringify(authenticationJSON(asserted))) as SwaAuthenticationJSON;
    const auth = await verifyAuthenticationResponse({ response: authJSON, expectedChallenge: authOptions.challenge, expectedOrigin: RP_ORIGIN, expectedRPID: RP_ID, credential: reg.registrationInfo.credential, requireUserVerification: true });
    assert.equal(auth.verified, true);
    // getPublicKey() is the SPKI of the same key simplewebauthn extracted from the COSE key.
    assert.ok(created.response instanceof AuthenticatorAttestationResponse);
    assert.ok(created.response.getPublicKey());
  });
});

describe('@simplewebauthn/server rejects tampered responses', () => {
  let s: Setup;
  let credential: WebAuthnCredential;
  let reg: ReturnType<typeof registrationJSON>;
  const regChallenge = challenge(3);
  before(async () => {
    s = await setup();
    const raw = await s.webauthn.create(s.page, { publicKey: creationOptions({ challenge: regChallenge, attestation: 'direct' }) });
    reg = registrationJSON(raw);
    const result = await verifyRegistrationResponse({ response: reg, expectedChallenge: b64(regChallenge), expectedOrigin: RP_ORIGIN, expectedRPID: RP_ID });
    assert.ok(result.registrationInfo);
    credential = result.registrationInfo.credential;
  });
  after(() => s.close());

  const fresh = async (): Promise<SwaAuthenticationJSON> =>
    authenticationJSON(await s.webauthn.get(s.page, { publicKey: { challenge: challenge(5), allowCredentials: [{ type: 'public-key', id: Buffer.from(credential.id, 'base64url') }] } }));
  const verify = (response: SwaAuthenticationJSON, overrides: { origin?: string; rpId?: string } = {}) =>
    verifyAuthenticationResponse({ response, expectedChallenge: b64(challenge(5)), expectedOrigin: overrides.origin ?? RP_ORIGIN, expectedRPID: overrides.rpId ?? RP_ID, credential });
  const edit = (text: string, f: (json: Record<string, unknown>) => void): string => {
    const json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
    f(json);
    return Buffer.from(JSON.stringify(json)).toString('base64url');
  };

  it('an untouched assertion verifies (control)', async () => {
    assert.equal((await verify(await fresh())).verified, true);
  });

  it('changed clientDataJSON (same challenge and origin, different bytes)', async () => {
    const a = await fresh();
    a.response.clientDataJSON = edit(a.response.clientDataJSON, (j) => {
      j['extra'] = 'x';
    });
    assert.ok(await refused(verify(a)));
  });

  it('changed origin in clientDataJSON', async () => {
    const a = await fresh();
    a.response.clientDataJSON = edit(a.response.clientDataJSON, (j) => {
      j['origin'] = 'https://evil.example';
    });
    assert.ok(await refused(verify(a)));
    assert.ok(await refused(verify(a, { origin: 'https://evil.example' })));
  });

  it('a flipped signature byte', async () => {
    const a = await fresh();
    const sig = Buffer.from(a.response.signature, 'base64url');
    sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 0x01;
    a.response.signature = sig.toString('base64url');
    assert.ok(await refused(verify(a)));
  });

  it('a flipped authenticator data byte (the UP flag)', async () => {
    const a = await fresh();
    const data = Buffer.from(a.response.authenticatorData, 'base64url');
    data[32] = (data[32] ?? 0) ^ 0x01;
    a.response.authenticatorData = data.toString('base64url');
    assert.ok(await refused(verify(a)));
  });

  it('the wrong expected origin or RP ID', async () => {
    const a = await fresh();
    assert.ok(await refused(verify(a, { origin: 'https://other.example' })));
    assert.ok(await refused(verify(a, { rpId: 'other.example' })));
  });

  it('a registration with a tampered clientDataJSON or attestation signature', async () => {
    const bad = structuredClone(reg);
    bad.response.clientDataJSON = edit(bad.response.clientDataJSON, (j) => {
      j['crossOrigin'] = true;
    });
    assert.ok(await refused(verifyRegistrationResponse({ response: bad, expectedChallenge: b64(regChallenge), expectedOrigin: RP_ORIGIN, expectedRPID: RP_ID })));
    assert.ok(await refused(verifyRegistrationResponse({ response: reg, expectedChallenge: b64(challenge(4)), expectedOrigin: RP_ORIGIN, expectedRPID: RP_ID })));
  });
});

describe('cross-origin iframes', () => {
  let s: Setup;
  before(async () => {
    s = await setup();
  });
  after(() => s.close());

  it('an allowed iframe registers after a click and asserts; clientDataJSON names the top origin', async () => {
    const frame = await s.page.openFrame('https://pay.example/', { load: false, allow: 'publickey-credentials-create; publickey-credentials-get' });
    frame.activate();
    const c = challenge(6);
    const created = await s.webauthn.create(frame, { publicKey: creationOptions({ challenge: c }) });
    assert.equal(
      Buffer.from(created.response.clientDataJSON).toString('utf8'),
      `{"type":"webauthn.create","challenge":"${b64(c)}","origin":"https://pay.example","crossOrigin":true,"topOrigin":"https://rp.example"}`,
    );
    assert.equal(frame.hasTransientActivation, false, 'create() consumed the activation');
    const reg = await verifyRegistrationResponse({ response: registrationJSON(created), expectedChallenge: b64(c), expectedOrigin: 'https://pay.example', expectedRPID: 'pay.example' });
    assert.ok(reg.registrationInfo);
    const asserted = await s.webauthn.get(frame, { publicKey: { challenge: c, allowCredentials: [{ type: 'public-key', id: created.rawId }] } });
    const auth = await verifyAuthenticationResponse({
      response: authenticationJSON(asserted),
      expectedChallenge: b64(c),
      expectedOrigin: 'https://pay.example',
      expectedRPID: 'pay.example',
      expectedTopOrigin: RP_ORIGIN,
      credential: reg.registrationInfo.credential,
    });
    assert.equal(auth.verified, true);
  });
});
