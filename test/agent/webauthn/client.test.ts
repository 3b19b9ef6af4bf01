// The WebAuthn client algorithms (WebAuthn §5.1.3, §5.1.4): option conversion, RP ID rules,
// the spec's (and Chromium's) errors, abort, timeouts, conditional mediation, and the
// PublicKeyCredential objects they produce.

import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  AuthenticatorAttestationResponse,
  decodeCbor,
  isRegistrableDomainSuffixOrEqual,
  parseAuthenticatorData,
  PublicKeyCredential,
  publicKeyCredentialType,
  type Authenticator,
  type CborMap,
  type CreationOptions,
  type RequestOptions,
} from '../../../src/agent/webauthn/index.js';
import type { CredentialContext } from '../../../src/agent/credentials/contract/credential-type.js';
import { b64, challenge, creationOptions, errorName, rejection, RP_ORIGIN, setup, type Setup } from './helpers.js';

const NOT_ALLOWED = 'The operation either timed out or was not allowed. See: https://www.w3.org/TR/webauthn-2/#sctn-privacy-considerations-client.';

async function expectError(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<unknown> {
  const e = await rejection(p);
  assert.equal(errorName(e), name, `expected ${name}, got ${String(e)}`);
  if (message !== undefined) {
    const text = e instanceof Error || e instanceof DOMException ? e.message : '';
    if (typeof message === 'string') assert.equal(text, message);
    else assert.match(text, message);
  }
  return e;
}

describe('registration and assertion objects', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });
  afterEach(() => s.close());

  it('builds PublicKeyCredential with the attestation response accessors (§5.2.1)', async () => {
    const c = await s.webauthn.create(s.page, { publicKey: creationOptions({ extensions: { credProps: true }, authenticatorSelection: { residentKey: 'preferred' } }) });
    assert.ok(c instanceof PublicKeyCredential);
    assert.ok(c instanceof s.webauthn.PublicKeyCredential);
    assert.ok(publicKeyCredentialType.isInstance(c));
    assert.equal(c.type, 'public-key');
    assert.equal(c.id, b64(c.rawId));
    assert.equal(c.rawId, c.rawId, '[SameObject]');
    assert.equal(c.rawId.byteLength, 32);
    assert.equal(c.authenticatorAttachment, 'platform');
    assert.deepEqual(c.getClientExtensionResults(), { credProps: { rk: true } });
    const r = c.response;
    assert.ok(r instanceof AuthenticatorAttestationResponse);
    assert.deepEqual(r.getTransports(), ['internal']);
    const att = decodeCbor(new Uint8Array(r.attestationObject)) as CborMap;
    assert.equal(att.get('fmt'), 'none');
    assert.deepEqual(new Uint8Array(r.getAuthenticatorData()), att.get('authData'));
    const authData = parseAuthenticatorData(new Uint8Array(r.getAuthenticatorData()));
    assert.equal(authData.flags, 0x45, 'UP | UV | AT');
    assert.equal(Buffer.from(authData.attested?.aaguid ?? []).toString('hex'), '01020304050607080102030405060708', 'the AAGUID survives "none"');
    const spki = r.getPublicKey();
    assert.ok(spki);
    assert.equal(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).asymmetricKeyType, 'ec');
    assert.equal(r.getPublicKeyAlgorithm(), -7);
  });

  it('pages cannot construct the interfaces', () => {
    assert.throws(() => Reflect.construct(PublicKeyCredential, [Symbol('x'), {}]), TypeError);
    assert.throws(() => Reflect.construct(AuthenticatorAttestationResponse, [Symbol('x'), {}]), TypeError);
  });

  it('takes a snapshot of BufferSources when called', async () => {
    const c = challenge(1);
    const p = s.webauthn.create(s.page, { publicKey: creationOptions({ challenge: c }) });
    c.fill(2);
    const cred = await p;
    assert.match(Buffer.from(cred.response.clientDataJSON).toString(), new RegExp(`"challenge":"${b64(challenge(1))}"`));
  });

  it('reads each option member once, in WebIDL order (inherited first, then lexicographic)', async () => {
    const seen: string[] = [];
    const spy = <T extends object>(target: T, prefix: string): T =>
      new Proxy(target, {
        get(t, key, receiver) {
          if (typeof key === 'string') seen.push(prefix + key);
          return Reflect.get(t, key, receiver) as unknown;
        },
      });
    const base = creationOptions();
    await s.webauthn.create(s.page, { publicKey: spy({ ...base, rp: spy(base.rp, 'rp.'), user: spy(base.user, 'user.') }, '') });
    assert.deepEqual(seen, [
      'attestation',
      'attestationFormats',
      'authenticatorSelection',
      'challenge',
      'excludeCredentials',
      'extensions',
      'hints',
      'pubKeyCredParams',
      'rp',
      'rp.name',
      'rp.id',
      'timeout',
      'user',
      'user.name',
      'user.displayName',
      'user.id',
    ]);
  });

  it('an empty pubKeyCredParams means ES256 then RS256; unknown types are skipped', async () => {
    const c = await s.webauthn.create(s.page, { publicKey: creationOptions({ pubKeyCredParams: [] }) });
    assert.equal((c.response as AuthenticatorAttestationResponse).getPublicKeyAlgorithm(), -7);
    const d = await s.webauthn.create(s.page, {
      publicKey: creationOptions({
        pubKeyCredParams: [
          { type: 'future-key', alg: -7 },
          { type: 'public-key', alg: -36 },
          { type: 'public-key', alg: -8 },
        ],
      }),
    });
    assert.equal((d.response as AuthenticatorAttestationResponse).getPublicKeyAlgorithm(), -8);
  });

  it("adds Chromium's GREASE member to clientDataJSON when asked, otherwise never", async () => {
    const plain = await s.webauthn.create(s.page, { publicKey: creationOptions() });
    assert.doesNotMatch(Buffer.from(plain.response.clientDataJSON).toString(), /other_keys/);
    const g = await setup({ clientDataGrease: true });
    const core = g.core as { random: () => number };
    core.random = () => 0.1;
    const greased = await g.webauthn.create(g.page, { publicKey: creationOptions() });
    assert.match(Buffer.from(greased.response.clientDataJSON).toString(), /,"other_keys_can_be_added_here":"do not compare clientDataJSON against a template\. See https:\/\/goo\.gl\/yabPex"\}$/);
    await g.close();
  });
});

describe('errors of create()', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });
  afterEach(() => s.close());

  it('excludeCredentials naming a credential on the authenticator → InvalidStateError', async () => {
    const first = await s.webauthn.create(s.page, { publicKey: creationOptions() });
    await expectError(
      s.webauthn.create(s.page, { publicKey: creationOptions({ excludeCredentials: [{ type: 'public-key', id: first.rawId }] }) }),
      'InvalidStateError',
      'The user attempted to register an authenticator that contains one of the credentials already registered with the relying party.',
    );
    // An unknown ID, or another type, excludes nothing.
    await s.webauthn.create(s.page, { publicKey: creationOptions({ excludeCredentials: [{ type: 'public-key', id: new Uint8Array([1]) }, { type: 'other', id: first.rawId }] }) });
  });

  it('without consent to reveal the excluded credential → NotAllowedError', async () => {
    const t = await setup({ userPresence: (r) => r.operation !== 'exclude' });
    const first = await t.webauthn.create(t.page, { publicKey: creationOptions() });
    await expectError(t.webauthn.create(t.page, { publicKey: creationOptions({ excludeCredentials: [{ type: 'public-key', id: first.rawId }] }) }), 'NotAllowedError', NOT_ALLOWED);
    await t.close();
  });

  it('a user handle longer than 64 bytes, or empty → TypeError', async () => {
    const user = (n: number) => ({ id: new Uint8Array(n), name: 'a', displayName: 'A' });
    await expectError(s.webauthn.create(s.page, { publicKey: creationOptions({ user: user(65) }) }), 'TypeError', 'User handle exceeds 64 bytes.');
    await expectError(s.webauthn.create(s.page, { publicKey: creationOptions({ user: user(0) }) }), 'TypeError');
    await s.webauthn.create(s.page, { publicKey: creationOptions({ user: user(64) }) });
    assert.equal(s.diagnostics[0]?.message, 'WebAuthn: user.id is longer than 64 bytes.');
  });

  it('bad challenge types and missing members → TypeError from the conversion', async () => {
    const bad = (publicKey: Record<string, unknown>) => s.webauthn.create(s.page, { publicKey });
    const base = creationOptions() as unknown as Record<string, unknown>;
    await expectError(bad({ ...base, challenge: 'abc' }), 'TypeError', /Failed to read the 'challenge' property from 'PublicKeyCredentialCreationOptions': The provided value is not of type '\(ArrayBuffer or ArrayBufferView\)'/);
    await expectError(bad({ ...base, challenge: [1, 2, 3] }), 'TypeError');
    await expectError(bad({ ...base, challenge: new SharedArrayBuffer(8) }), 'TypeError');
    await expectError(bad({ ...base, challenge: undefined }), 'TypeError', /'challenge'.*Required member is undefined/);
    await expectError(bad({ ...base, user: { name: 'a', displayName: 'b' } }), 'TypeError', /'id' property from 'PublicKeyCredentialUserEntity'/);
    await expectError(bad({ ...base, rp: {} }), 'TypeError', /'name' property from 'PublicKeyCredentialRpEntity'/);
    await expectError(bad({ ...base, pubKeyCredParams: 'ES256' }), 'TypeError', /sequence/);
    await expectError(bad({ ...base, timeout: Symbol('t') }), 'TypeError');
    // A DataView is a BufferSource.
    await s.webauthn.create(s.page, { publicKey: { ...base, challenge: new DataView(new ArrayBuffer(16)) } });
  });

  it('no public-key entry in pubKeyCredParams, or no supported algorithm → NotSupportedError', async () => {
    const msg = 'None of the algorithms specified in `pubKeyCredParams` are supported by this device.';
    await expectError(s.webauthn.create(s.page, { publicKey: creationOptions({ pubKeyCredParams: [{ type: 'password', alg: -7 }] }) }), 'NotSupportedError', msg);
    await expectError(s.webauthn.create(s.page, { publicKey: creationOptions({ pubKeyCredParams: [{ type: 'public-key', alg: -36 }] }) }), 'NotSupportedError', msg);
  });

  it('residentKey "required" or userVerification "required" that no authenticator offers → NotSupportedError', async () => {
    const t = await setup({ defaultAuthenticator: { hasResidentKey: false, hasUserVerification: false } });
    await expectError(t.webauthn.create(t.page, { publicKey: creationOptions({ authenticatorSelection: { residentKey: 'required' } }) }), 'NotSupportedError', /Resident credentials/);
    await expectError(t.webauthn.create(t.page, { publicKey: creationOptions({ authenticatorSelection: { requireResidentKey: true } }) }), 'NotSupportedError', /Resident credentials/);
    await expectError(t.webauthn.create(t.page, { publicKey: creationOptions({ authenticatorSelection: { userVerification: 'required' } }) }), 'NotSupportedError', /userVerification/);
    // "preferred" makes a non-discoverable credential there, and credProps says so.
    const c = await t.webauthn.create(t.page, { publicKey: creationOptions({ authenticatorSelection: { residentKey: 'preferred' }, extensions: { credProps: true } }) });
    assert.deepEqual(c.getClientExtensionResults(), { credProps: { rk: false } });
    await t.close();
  });

  it('conditional create is not offered → NotAllowedError', async () => {
    await expectError(s.webauthn.create(s.page, { publicKey: creationOptions(), mediation: 'conditional' }), 'NotAllowedError');
  });
});

describe('RP IDs (§5.1.3 step 8, HTML "registrable domain suffix")', () => {
  it('accepts the host and its registrable suffixes, nothing else', () => {
    const ok = (rpId: string, host: string) => assert.equal(isRegistrableDomainSuffixOrEqual(rpId, host), true, `${rpId} for ${host}`);
    const no = (rpId: string, host: string) => assert.equal(isRegistrableDomainSuffixOrEqual(rpId, host), false, `${rpId} for ${host}`);
    ok('rp.example', 'rp.example');
    ok('rp.example', 'login.rp.example');
    ok('login.rp.example', 'a.login.rp.example');
    ok('localhost', 'localhost');
    ok('example.co.uk', 'www.example.co.uk');
    no('example', 'rp.example'); // a public suffix (unknown TLDs count as one)
    no('co.uk', 'example.co.uk');
    no('github.io', 'alice.github.io'); // private registry
    ok('alice.github.io', 'www.alice.github.io');
    no('other.example', 'rp.example');
    no('xrp.example', 'rp.example');
    no('p.example', 'rp.example');
    no('login.rp.example', 'rp.example');
    no('', 'rp.example');
    no('RP.example', 'rp.example'); // compared as given, as Chromium does
    no('rp.example:443', 'rp.example');
    no('rp.example.', 'rp.example');
    no('0.1', '127.0.0.1');
  });

  it('a wrong RP ID → SecurityError, in create() and get()', async () => {
    const s = await setup({}, 'https://login.rp.example/');
    const msg = 'The relying party ID is not a registrable domain suffix of, nor equal to the current domain.';
    await expectError(s.webauthn.create(s.page, { publicKey: creationOptions({ rp: { name: 'x', id: 'other.example' } }) }), 'SecurityError', msg);
    await expectError(s.webauthn.create(s.page, { publicKey: creationOptions({ rp: { name: 'x', id: 'example' } }) }), 'SecurityError', msg);
    await expectError(s.webauthn.get(s.page, { publicKey: { challenge: challenge(), rpId: 'evil.example' } }), 'SecurityError', msg);
    assert.equal(s.diagnostics.at(-1)?.message, 'WebAuthn: rpId "evil.example" is not allowed for https://login.rp.example.');
    // The parent domain is fine, and scopes the credential to it.
    const c = await s.webauthn.create(s.page, { publicKey: creationOptions({ rp: { name: 'x', id: 'rp.example' } }) });
    const authData = parseAuthenticatorData(new Uint8Array((c.response as AuthenticatorAttestationResponse).getAuthenticatorData()));
    assert.deepEqual(Buffer.from(authData.rpIdHash), Buffer.from((await import('node:crypto')).createHash('sha256').update('rp.example').digest()));
    await s.webauthn.get(s.page, { publicKey: { challenge: challenge(), rpId: 'rp.example', allowCredentials: [{ type: 'public-key', id: c.rawId }] } });
    await s.close();
  });

  it('IP-address origins → SecurityError; http://localhost works', async () => {
    const ip = await setup({}, 'https://127.0.0.1/');
    await expectError(ip.webauthn.create(ip.page, { publicKey: creationOptions() }), 'SecurityError', 'This is an invalid domain.');
    await ip.close();
    const local = await setup({}, 'http://localhost:3000/');
    const c = await local.webauthn.create(local.page, { publicKey: creationOptions() });
    assert.match(Buffer.from(c.response.clientDataJSON).toString(), /"origin":"http:\/\/localhost:3000"/);
    await local.close();
  });

  it('an opaque origin (sandboxed iframe) → NotAllowedError', async () => {
    const s = await setup();
    const frame = await s.page.openFrame('https://rp.example/sandboxed', { load: false, sandbox: true, allow: 'publickey-credentials-get *' });
    await expectError(s.webauthn.get(frame, { publicKey: { challenge: challenge() } }), 'NotAllowedError', /opaque origin/);
    await s.close();
  });
});

describe('iframes and the Permissions Policy', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });
  afterEach(() => s.close());

  it('a cross-origin iframe without publickey-credentials-get → NotAllowedError', async () => {
    const frame = await s.page.openFrame('https://other.example/', { load: false });
    await expectError(s.webauthn.get(frame, { publicKey: { challenge: challenge() } }), 'NotAllowedError', /'publickey-credentials-get' feature is not enabled/);
    assert.equal(s.diagnostics.at(-1)?.reason, 'PermissionsPolicyDenied');
    await expectError(s.webauthn.create(frame, { publicKey: creationOptions() }), 'NotAllowedError', /'publickey-credentials-create' feature is not enabled/);
  });

  it('a same-origin iframe needs no allow=; crossOrigin is false there', async () => {
    const frame = await s.page.openFrame('https://rp.example/inner', { load: false });
    const c = await s.webauthn.create(frame, { publicKey: creationOptions() });
    assert.match(Buffer.from(c.response.clientDataJSON).toString(), /"crossOrigin":false\}$/);
  });

  it('create() in an allowed cross-origin iframe needs transient activation', async () => {
    const frame = await s.page.openFrame('https://pay.example/', { load: false, allow: 'publickey-credentials-create' });
    await expectError(s.webauthn.create(frame, { publicKey: creationOptions() }), 'NotAllowedError', 'A user activation is required to create a credential in a cross-origin iframe.');
    frame.activate();
    s.clock.advance(5000);
    await expectError(s.webauthn.create(frame, { publicKey: creationOptions() }), 'NotAllowedError', /user activation/);
  });
});

describe('errors of get()', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });
  afterEach(() => s.close());

  it('no usable credential → NotAllowedError right away', async () => {
    await expectError(s.webauthn.get(s.page, { publicKey: { challenge: challenge() } }), 'NotAllowedError', NOT_ALLOWED);
    assert.match(s.diagnostics.at(-1)?.detail ?? '', /No authenticator holds a discoverable credential for RP ID "rp.example"/);
    await expectError(s.webauthn.get(s.page, { publicKey: { challenge: challenge(), allowCredentials: [{ type: 'public-key', id: new Uint8Array(32) }] } }), 'NotAllowedError');
    // A credential of another RP is not offered.
    const other = await setup({ store: s.webauthn.store }, 'https://other.example/');
    await other.webauthn.create(other.page, { publicKey: creationOptions({ authenticatorSelection: { residentKey: 'required' } }) });
    await expectError(s.webauthn.get(s.page, { publicKey: { challenge: challenge() } }), 'NotAllowedError');
    await other.close();
  });

  it('credProps is a registration extension → NotSupportedError', async () => {
    await expectError(s.webauthn.get(s.page, { publicKey: { challenge: challenge(), extensions: { credProps: true } } }), 'NotSupportedError', "The 'credProps' extension is only valid when creating a credential");
  });

  it('bad challenge → TypeError', async () => {
    await expectError(s.webauthn.get(s.page, { publicKey: { challenge: 'abc' } }), 'TypeError', /'challenge' property from 'PublicKeyCredentialRequestOptions'/);
    await expectError(s.webauthn.get(s.page, { publicKey: {} }), 'TypeError', /Required member is undefined/);
    await expectError(s.webauthn.get(s.page, { publicKey: { challenge: challenge(), allowCredentials: [{ id: new Uint8Array(1) }] } }), 'TypeError', /'type' property from 'PublicKeyCredentialDescriptor'/);
  });

  it('the user declines → NotAllowedError; user verification failing → NotAllowedError', async () => {
    let consent = true;
    const t = await setup({ userPresence: () => consent });
    const c = await t.webauthn.create(t.page, { publicKey: creationOptions({ authenticatorSelection: { residentKey: 'required' } }) });
    consent = false;
    await expectError(t.webauthn.get(t.page, { publicKey: { challenge: challenge() } }), 'NotAllowedError', NOT_ALLOWED);
    consent = true;
    t.webauthn.automation.setUserVerified('platform', false);
    await expectError(t.webauthn.get(t.page, { publicKey: { challenge: challenge(), userVerification: 'required' } }), 'NotAllowedError');
    // With UV discouraged the gesture is presence only: UP set, UV clear.
    const a = await t.webauthn.get(t.page, { publicKey: { challenge: challenge(), userVerification: 'discouraged', allowCredentials: [{ type: 'public-key', id: c.rawId }] } });
    assert.equal(parseAuthenticatorData(new Uint8Array((a.response as { authenticatorData: ArrayBuffer }).authenticatorData)).flags, 0x01);
    await t.close();
  });

  it('userVerification "required" skips authenticators that cannot verify', async () => {
    const t = await setup({ defaultAuthenticator: { hasUserVerification: false } });
    await t.webauthn.create(t.page, { publicKey: creationOptions({ authenticatorSelection: { residentKey: 'required' } }) });
    await expectError(t.webauthn.get(t.page, { publicKey: { challenge: challenge(), userVerification: 'required' } }), 'NotAllowedError');
    await t.webauthn.get(t.page, { publicKey: { challenge: challenge() } });
    await t.close();
  });
});

describe('abort and timeouts', () => {
  let s: Setup;
  let release: (() => void) | undefined;
  beforeEach(async () => {
    // The user never answers: every gesture waits until the request ends.
    s = await setup({
      userPresence: (_r, signal) =>
        new Promise<boolean>((resolve) => {
          release = () => resolve(true);
          signal.addEventListener('abort', () => resolve(false), { once: true });
        }),
    });
  });
  afterEach(() => s.close());

  it('an already aborted signal rejects with its reason', async () => {
    const reason = new Error('stop');
    await assert.rejects(s.webauthn.create(s.page, { publicKey: creationOptions(), signal: AbortSignal.abort(reason) }), (e) => e === reason);
    await assert.rejects(s.webauthn.get(s.page, { publicKey: { challenge: challenge() }, signal: AbortSignal.abort('why') }), (e) => e === 'why');
  });

  it('aborting while the authenticator waits rejects with signal.reason', async () => {
    const controller = new AbortController();
    const p = s.webauthn.create(s.page, { publicKey: creationOptions(), signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    const reason = { custom: true };
    controller.abort(reason);
    assert.equal(await rejection(p), reason);
  });

  it('the timeout (agent clock) ends the request with NotAllowedError', async () => {
    const p = s.webauthn.create(s.page, { publicKey: creationOptions({ timeout: 30_000 }) });
    await new Promise((r) => setImmediate(r));
    s.clock.advance(29_999);
    await new Promise((r) => setImmediate(r));
    release?.call(undefined);
    const done = await p;
    assert.ok(done instanceof PublicKeyCredential, 'answered in time');
    const q = s.webauthn.create(s.page, { publicKey: creationOptions({ timeout: 30_000 }) });
    await new Promise((r) => setImmediate(r));
    s.clock.advance(30_000);
    await expectError(q, 'NotAllowedError', NOT_ALLOWED);
    assert.match(s.diagnostics.at(-1)?.message ?? '', /timed out after 30000 ms/);
  });

  it('without authenticators the request waits, and proceeds when one is added (hot plug)', async () => {
    const t = await setup({ defaultAuthenticator: false });
    const p = t.webauthn.create(t.page, { publicKey: creationOptions() });
    await new Promise((r) => setImmediate(r));
    assert.match(t.diagnostics.at(-1)?.detail ?? '', /no authenticator/i);
    t.webauthn.automation.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'usb' });
    const c = await p;
    assert.equal(c.authenticatorAttachment, 'cross-platform');
    assert.deepEqual((c.response as AuthenticatorAttestationResponse).getTransports(), ['usb']);
    // And it times out when none comes (default 10 minutes).
    t.webauthn.automation.removeVirtualAuthenticator(t.webauthn.automation.getAuthenticators()[0]?.id ?? '');
    const q = t.webauthn.get(t.page, { publicKey: { challenge: challenge() } });
    await new Promise((r) => setImmediate(r));
    t.clock.advance(599_999);
    await new Promise((r) => setImmediate(r));
    assert.equal(t.clock.pendingSleeps, 1, 'still waiting');
    t.clock.advance(1);
    await expectError(q, 'NotAllowedError');
    await t.close();
  });
});

describe('choosing among credentials', () => {
  it('offers every discoverable credential, newest first; the chooser picks or cancels', async () => {
    let pick: string | null = null;
    const offered: string[][] = [];
    const s = await setup({
      chooseCredential: (request) => {
        offered.push(request.credentials.map((c) => c.userName));
        return pick;
      },
    });
    const user = (n: number) => ({ id: new Uint8Array([n]), name: `user${n}`, displayName: `User ${n}` });
    const one = await s.webauthn.create(s.page, { publicKey: creationOptions({ user: user(1), authenticatorSelection: { residentKey: 'required' } }) });
    s.clock.advance(1000);
    await s.webauthn.create(s.page, { publicKey: creationOptions({ user: user(2), authenticatorSelection: { residentKey: 'required' } }) });
    await expectError(s.webauthn.get(s.page, { publicKey: { challenge: challenge() } }), 'NotAllowedError');
    assert.deepEqual(offered, [['user2', 'user1']]);
    pick = one.id;
    const a = await s.webauthn.get(s.page, { publicKey: { challenge: challenge() } });
    assert.equal(a.id, one.id);
    await s.close();
  });
});

describe('conditional mediation (autofill)', () => {
  it('waits for the user to pick a passkey, filtered by allowCredentials', async () => {
    const s = await setup();
    assert.equal(await s.webauthn.PublicKeyCredential.isConditionalMediationAvailable(), true);
    const a = await s.webauthn.create(s.page, { publicKey: creationOptions({ user: { id: new Uint8Array([1]), name: 'a', displayName: 'A' }, authenticatorSelection: { residentKey: 'required' } }) });
    const b = await s.webauthn.create(s.page, { publicKey: creationOptions({ user: { id: new Uint8Array([2]), name: 'b', displayName: 'B' }, authenticatorSelection: { residentKey: 'required' } }) });
    const p = s.webauthn.get(s.page, { mediation: 'conditional', publicKey: { challenge: challenge(), allowCredentials: [{ type: 'public-key', id: b.rawId }] } });
    const request = await s.webauthn.automation.waitForConditionalRequest();
    assert.equal(request.origin, RP_ORIGIN);
    assert.deepEqual(
      request.credentials.map((c) => c.credentialId),
      [b.id],
    );
    assert.throws(() => s.webauthn.automation.selectConditionalCredential(a.id), /not offered/);
    // The timeout does not apply: the request lives as long as the document.
    s.clock.advance(3_600_000);
    s.webauthn.automation.selectConditionalCredential(b.id);
    const got = await p;
    assert.equal(got.id, b.id);
    assert.ok((got.response as { userHandle: ArrayBuffer | null }).userHandle);
    assert.deepEqual(s.webauthn.automation.getConditionalRequests(), []);

    // Aborting a waiting conditional request rejects it and removes it.
    const controller = new AbortController();
    const q = s.webauthn.get(s.page, { mediation: 'conditional', publicKey: { challenge: challenge() }, signal: controller.signal });
    await s.webauthn.automation.waitForConditionalRequest();
    controller.abort('gone');
    assert.equal(await rejection(q), 'gone');
    assert.deepEqual(s.webauthn.automation.getConditionalRequests(), []);
    await s.close();
  });

  it('the conditionalUi option answers like a user', async () => {
    const s = await setup({ conditionalUi: (request) => request.candidates()[0]?.credentialId ?? null });
    const c = await s.webauthn.create(s.page, { publicKey: creationOptions({ authenticatorSelection: { residentKey: 'required' } }) });
    const got = await s.webauthn.get(s.page, { mediation: 'conditional', publicKey: { challenge: challenge() } });
    assert.equal(got.id, c.id);
    await s.close();
  });
});

describe('hostile authenticators', () => {
  const rogue = (attestationObject: Uint8Array): Authenticator => ({
    id: 'rogue',
    attachment: 'cross-platform',
    transports: ['usb'],
    hasResidentKey: false,
    hasUserVerification: false,
    supportsAlgorithm: () => true,
    boundCredentials: () => [],
    discoverableCredentials: () => [],
    makeCredential: () => Promise.resolve(attestationObject),
    getAssertion: () => Promise.reject(new Error('unused')),
  });

  for (const [what, bytes, why] of [
    ['truncated CBOR', Uint8Array.from([0xa3, 0x63, 0x66, 0x6d]), /Unexpected end of input|exceeds|does not fit/],
    ['non-canonical CBOR (indefinite map)', Uint8Array.from([0xbf, 0xff]), /Indefinite-length/],
    ['a CBOR array instead of a map', Uint8Array.from([0x80]), /must be a CBOR map/],
    ['trailing bytes', Uint8Array.from([0xa0, 0x00]), /trailing/],
  ] as const) {
    it(`${what} from an authenticator → NotAllowedError, and a diagnostic says why`, async () => {
      const s = await setup({ defaultAuthenticator: false });
      s.webauthn.attachAuthenticator(rogue(bytes));
      await expectError(s.webauthn.create(s.page, { publicKey: creationOptions() }), 'NotAllowedError', NOT_ALLOWED);
      assert.match(s.diagnostics.at(-1)?.detail ?? '', why);
      await s.close();
    });
  }
});

describe('client capabilities', () => {
  it('getClientCapabilities() and isUserVerifyingPlatformAuthenticatorAvailable() reflect the agent', async () => {
    const s = await setup();
    const caps = await s.webauthn.PublicKeyCredential.getClientCapabilities();
    assert.deepEqual(Object.keys(caps), [...Object.keys(caps)].sort(), 'keys sorted (§5.1.7)');
    assert.equal(caps['userVerifyingPlatformAuthenticator'], true);
    assert.equal(caps['passkeyPlatformAuthenticator'], true);
    assert.equal(caps['conditionalGet'], true);
    assert.equal(caps['conditionalCreate'], false);
    assert.equal(caps['extension:credProps'], true);
    assert.equal(await s.webauthn.PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable(), true);
    assert.equal(s.webauthn.PublicKeyCredential.name, 'PublicKeyCredential');
    const bare = await setup({ defaultAuthenticator: false });
    assert.equal(await bare.webauthn.PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable(), false);
    assert.equal(await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable(), false);
    assert.equal('userVerifyingPlatformAuthenticator' in (await PublicKeyCredential.getClientCapabilities()), false);
    await s.close();
    await bare.close();
  });
});

describe('JSON helpers (§5.1.8, §5.1.9)', () => {
  it('decode base64url members; bad base64url → EncodingError, bad dictionaries → TypeError', () => {
    const parsed = PublicKeyCredential.parseCreationOptionsFromJSON({
      rp: { name: 'RP', id: 'rp.example' },
      user: { id: 'AQID', name: 'a', displayName: 'A' },
      challenge: 'AAAA',
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      excludeCredentials: [{ type: 'public-key', id: 'AQ', transports: ['usb'] }],
    });
    assert.deepEqual(new Uint8Array(parsed.user.id), new Uint8Array([1, 2, 3]));
    assert.deepEqual(new Uint8Array(parsed.challenge), new Uint8Array([0, 0, 0]));
    assert.equal(parsed.attestation, 'none');
    assert.deepEqual(parsed.hints, []);
    assert.deepEqual(parsed.excludeCredentials[0]?.transports, ['usb']);
    const encoding = (f: () => unknown) => assert.throws(f, (e) => e instanceof DOMException && e.name === 'EncodingError');
    encoding(() => PublicKeyCredential.parseRequestOptionsFromJSON({ challenge: 'AA==' }));
    encoding(() => PublicKeyCredential.parseRequestOptionsFromJSON({ challenge: 'A+/A' }));
    encoding(() => PublicKeyCredential.parseRequestOptionsFromJSON({ challenge: 'A' }));
    encoding(() => PublicKeyCredential.parseRequestOptionsFromJSON({ challenge: 'AAAA', allowCredentials: [{ type: 'public-key', id: 'not base64!' }] }));
    assert.throws(() => PublicKeyCredential.parseRequestOptionsFromJSON({}), TypeError);
    assert.throws(() => PublicKeyCredential.parseCreationOptionsFromJSON({ challenge: 'AAAA' }), TypeError);
    const req = PublicKeyCredential.parseRequestOptionsFromJSON({ challenge: 'AAAA', rpId: 'rp.example' });
    assert.equal(req.userVerification, 'preferred');
    assert.deepEqual(req.allowCredentials, []);
  });
});

describe('the registry entry', () => {
  it('describes PublicKeyCredential and runs its internal methods with a CredentialContext', async () => {
    const s = await setup();
    const t = publicKeyCredentialType;
    assert.equal(t.type, 'public-key');
    assert.equal(t.optionsMember, 'publicKey');
    assert.equal(t.discovery, 'remote');
    assert.equal(t.getPermissionsPolicy, 'publickey-credentials-get');
    assert.equal(t.createPermissionsPolicy, 'publickey-credentials-create');
    assert.deepEqual(t.mixableWith, []);
    assert.equal(t.conditionalMediation, true);
    const ctx = s.webauthn.context(s.page);
    assert.equal(ctx.sameOriginWithAncestors, true);
    const created = await t.create?.(ctx as unknown as CredentialContext, t.convertCreationOptions?.(creationOptions({ authenticatorSelection: { residentKey: 'required' } })) as CreationOptions);
    assert.ok(created instanceof PublicKeyCredential);
    const got = await t.discoverFromExternalSource?.(ctx as unknown as CredentialContext, t.convertRequestOptions?.({ challenge: challenge() }) as RequestOptions);
    assert.equal(got?.id, created.id);
    assert.deepEqual(t.collectFromCredentialStore?.(ctx as unknown as CredentialContext, {} as RequestOptions), []);
    await expectError(t.store?.(ctx as unknown as CredentialContext, created) ?? Promise.resolve(), 'NotSupportedError');
    await s.close();
  });
});
