// The WebDriver virtual authenticator commands (WebAuthn §11), persistence through the
// WebAuthnStore, and the rule that private keys never reach logs, diagnostics or errors.

import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import {
  encodeCoseKey,
  MemoryWebAuthnStore,
  parseAuthenticatorData,
  WebAuthnAutomationError,
  type AuthenticatorAssertionResponse,
  type AuthenticatorAttestationResponse,
} from '../../../src/agent/webauthn/index.js';
import { authenticationJSON, b64, challenge, creationOptions, errorName, rejection, RP_ID, RP_ORIGIN, setup, type Setup } from './helpers.js';

function automationError(f: () => unknown, error: 'invalid argument' | 'unsupported operation', message?: RegExp): WebAuthnAutomationError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof WebAuthnAutomationError, `expected a WebAuthnAutomationError, got ${String(e)}`);
    assert.equal(e.error, error);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail('expected the command to fail');
}

const flagsOf = (r: AuthenticatorAssertionResponse): number => parseAuthenticatorData(new Uint8Array(r.authenticatorData)).flags;

describe('Add / Remove Virtual Authenticator (§11.3, §11.4)', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup({ defaultAuthenticator: false });
  });
  afterEach(() => s.close());

  it('validates the configuration as WebDriver does', () => {
    const a = s.webauthn.automation;
    automationError(() => a.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'usb', colour: 'red' } as never), 'invalid argument', /Unknown authenticator configuration key "colour"/);
    automationError(() => a.addVirtualAuthenticator({ transport: 'usb' } as never), 'invalid argument', /protocol/);
    automationError(() => a.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'carrier-pigeon' } as never), 'invalid argument', /transport/);
    automationError(() => a.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'usb', hasResidentKey: 'yes' } as never), 'invalid argument', /hasResidentKey must be a boolean/);
    automationError(() => a.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'usb', extensions: ['largeBlob'] }), 'unsupported operation');
    automationError(() => a.addVirtualAuthenticator({ protocol: 'ctap1/u2f', transport: 'usb' }), 'unsupported operation');
    automationError(() => a.addVirtualAuthenticator(null as never), 'invalid argument');
    assert.deepEqual(a.getAuthenticators(), []);
  });

  it('returns an id, applies the defaults, and removes', () => {
    const a = s.webauthn.automation;
    const id = a.addVirtualAuthenticator({ protocol: 'ctap2_1', transport: 'nfc', hasUserVerification: true });
    assert.match(id, /^[A-Za-z0-9._~-]{1,48}$/);
    const [config] = a.getAuthenticators();
    assert.equal(config?.hasResidentKey, false);
    assert.equal(config?.isUserConsenting, true);
    assert.equal(config?.isUserVerified, false);
    assert.equal(config?.hasUserVerification, true);
    a.removeVirtualAuthenticator(id);
    assert.deepEqual(a.getAuthenticators(), []);
    automationError(() => a.removeVirtualAuthenticator(id), 'invalid argument');
  });

  it('fedkit properties: aaguid, algorithms, attestation format', async () => {
    const a = s.webauthn.automation;
    a.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'usb', aaguid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', algorithms: [-8], attestation: 'none' });
    automationError(() => a.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'usb', algorithms: [-36] }), 'invalid argument');
    const c = await s.webauthn.create(s.page, {
      publicKey: creationOptions({
        attestation: 'direct',
        pubKeyCredParams: [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -8 },
        ],
      }),
    });
    const r = c.response as AuthenticatorAttestationResponse;
    assert.equal(r.getPublicKeyAlgorithm(), -8);
    const authData = parseAuthenticatorData(new Uint8Array(r.getAuthenticatorData()));
    assert.equal(Buffer.from(authData.attested?.aaguid ?? []).toString('hex'), 'aaaaaaaabbbbccccddddeeeeeeeeeeee');
  });

  it('isUserConsenting: false makes every gesture fail → NotAllowedError', async () => {
    s.webauthn.automation.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'usb', isUserConsenting: false });
    assert.equal(errorName(await rejection(s.webauthn.create(s.page, { publicKey: creationOptions() }))), 'NotAllowedError');
  });
});

describe('credentials (§11.5 – §11.10)', () => {
  let s: Setup;
  let id: string;
  beforeEach(async () => {
    s = await setup({ defaultAuthenticator: false });
    id = s.webauthn.automation.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true });
  });
  afterEach(() => s.close());

  it('an added credential (the test holds the key) signs assertions an RP accepts; the counter continues', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credentialId = b64(new Uint8Array(16).fill(0xab));
    s.webauthn.automation.addCredential(id, {
      credentialId,
      isResidentCredential: true,
      rpId: RP_ID,
      privateKey: b64(privateKey.export({ type: 'pkcs8', format: 'der' })),
      userHandle: b64(new Uint8Array([1, 2])),
      signCount: 41,
      userName: 'dave',
    });
    const got = await s.webauthn.get(s.page, { publicKey: { challenge: challenge(8) } });
    assert.equal(got.id, credentialId);
    const result = await verifyAuthenticationResponse({
      response: authenticationJSON(got),
      expectedChallenge: b64(challenge(8)),
      expectedOrigin: RP_ORIGIN,
      expectedRPID: RP_ID,
      credential: { id: credentialId, publicKey: encodeCoseKey(publicKey, -7), counter: 41 },
    });
    assert.equal(result.verified, true);
    assert.equal(result.authenticationInfo.newCounter, 42);
    assert.equal(s.webauthn.automation.getCredentials(id)[0]?.signCount, 42);
  });

  it('getCredentials returns every credential with a PKCS#8 private key matching getPublicKey()', async () => {
    const created = await s.webauthn.create(s.page, { publicKey: creationOptions({ authenticatorSelection: { residentKey: 'required' } }) });
    const [c, ...rest] = s.webauthn.automation.getCredentials(id);
    assert.equal(rest.length, 0);
    assert.ok(c);
    assert.equal(c.credentialId, created.id);
    assert.equal(c.isResidentCredential, true);
    assert.equal(c.rpId, RP_ID);
    assert.equal(c.userHandle, b64(new Uint8Array([1, 2, 3, 4])));
    assert.equal(c.userName, 'alice@rp.example');
    assert.equal(c.signCount, 1);
    const key = createPrivateKey({ key: Buffer.from(c.privateKey, 'base64url'), format: 'der', type: 'pkcs8' });
    const spki = (created.response as AuthenticatorAttestationResponse).getPublicKey();
    assert.ok(spki);
    assert.deepEqual(createPublicKey(key).export({ type: 'spki', format: 'der' }), Buffer.from(spki));
  });

  it('validates Add Credential parameters without echoing key material', () => {
    const a = s.webauthn.automation;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const good = { credentialId: 'AQID', isResidentCredential: false, rpId: RP_ID, privateKey: b64(privateKey.export({ type: 'pkcs8', format: 'der' })), signCount: 0 };
    automationError(() => a.addCredential(id, { ...good, credentialId: 'no good' }), 'invalid argument', /credentialId/);
    automationError(() => a.addCredential(id, { ...good, rpId: 'https://rp.example' }), 'invalid argument', /rpId/);
    automationError(() => a.addCredential(id, { ...good, isResidentCredential: true }), 'invalid argument', /userHandle/);
    automationError(() => a.addCredential(id, { ...good, signCount: -1 }), 'invalid argument', /signCount/);
    automationError(() => a.addCredential(id, { ...good, signCount: undefined } as never), 'invalid argument', /signCount is required/);
    const garbage = b64(new Uint8Array(64).fill(0x5a));
    const e = automationError(() => a.addCredential(id, { ...good, privateKey: garbage }), 'invalid argument', /not a valid PKCS#8/);
    assert.equal(e.message.includes(garbage), false);
    automationError(() => a.addCredential('nope', good), 'invalid argument', /No virtual authenticator/);
    const noRk = a.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'usb' });
    automationError(() => a.addCredential(noRk, { ...good, isResidentCredential: true, userHandle: 'AQ' }), 'invalid argument', /hasResidentKey/);
    a.addCredential(id, good);
    assert.equal(a.getCredentials(id).length, 1);
  });

  it('signCount null: no counter, assertions carry 0', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    s.webauthn.automation.addCredential(id, { credentialId: 'AQID', isResidentCredential: true, rpId: RP_ID, privateKey: b64(privateKey.export({ type: 'pkcs8', format: 'der' })), userHandle: 'AQ', signCount: null });
    for (let i = 0; i < 2; i++) {
      const got = await s.webauthn.get(s.page, { publicKey: { challenge: challenge() } });
      assert.equal(parseAuthenticatorData(new Uint8Array((got.response as AuthenticatorAssertionResponse).authenticatorData)).signCount, 0);
    }
    assert.equal(s.webauthn.automation.getCredentials(id)[0]?.signCount, null);
  });

  it('Remove Credential and Remove All Credentials', async () => {
    const one = await s.webauthn.create(s.page, { publicKey: creationOptions() });
    await s.webauthn.create(s.page, { publicKey: creationOptions({ user: { id: new Uint8Array([5]), name: 'e', displayName: 'E' } }) });
    const a = s.webauthn.automation;
    a.removeCredential(id, one.id);
    automationError(() => a.removeCredential(id, one.id), 'invalid argument');
    assert.equal(errorName(await rejection(s.webauthn.get(s.page, { publicKey: { challenge: challenge(), allowCredentials: [{ type: 'public-key', id: one.rawId }] } }))), 'NotAllowedError');
    assert.equal(a.getCredentials(id).length, 1);
    a.removeAllCredentials(id);
    assert.deepEqual(a.getCredentials(id), []);
  });

  it('Set User Verified switches the UV result', async () => {
    const c = await s.webauthn.create(s.page, { publicKey: creationOptions() });
    const allow = [{ type: 'public-key', id: c.rawId }];
    const verified = await s.webauthn.get(s.page, { publicKey: { challenge: challenge(), allowCredentials: allow } });
    assert.equal(flagsOf(verified.response as AuthenticatorAssertionResponse) & 0x05, 0x05);
    s.webauthn.automation.setUserVerified(id, false);
    assert.equal(errorName(await rejection(s.webauthn.get(s.page, { publicKey: { challenge: challenge(), allowCredentials: allow } }))), 'NotAllowedError');
    automationError(() => s.webauthn.automation.setUserVerified(id, 'yes' as never), 'invalid argument');
  });

  it('Set Credential Properties drives the BE / BS flags and the counter', async () => {
    const c = await s.webauthn.create(s.page, { publicKey: creationOptions() });
    s.webauthn.automation.setCredentialProperties(id, c.id, { backupEligibility: true, backupState: true, signCount: 100 });
    const got = await s.webauthn.get(s.page, { publicKey: { challenge: challenge(), allowCredentials: [{ type: 'public-key', id: c.rawId }] } });
    const data = parseAuthenticatorData(new Uint8Array((got.response as AuthenticatorAssertionResponse).authenticatorData));
    assert.equal(data.flags & 0x18, 0x18);
    assert.equal(data.signCount, 101);
    automationError(() => s.webauthn.automation.setCredentialProperties(id, 'missing', {}), 'invalid argument');
  });

  it('defaultBackupEligibility / defaultBackupState apply to new credentials', async () => {
    const b = s.webauthn.automation.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'hybrid', defaultBackupEligibility: true, defaultBackupState: true });
    s.webauthn.automation.removeVirtualAuthenticator(id);
    const c = await s.webauthn.create(s.page, { publicKey: creationOptions() });
    const data = parseAuthenticatorData(new Uint8Array((c.response as AuthenticatorAttestationResponse).getAuthenticatorData()));
    assert.equal(data.flags & 0x18, 0x18);
    assert.equal(s.webauthn.automation.getCredentials(b)[0]?.backupEligibility, true);
  });
});

describe('persistence (WebAuthnStore)', () => {
  it('a second agent on the same store finds the authenticators and credentials; counters carry on', async () => {
    const store = new MemoryWebAuthnStore();
    const first = await setup({ store });
    const created = await first.webauthn.create(first.page, { publicKey: creationOptions({ authenticatorSelection: { residentKey: 'required' } }) });
    await first.webauthn.get(first.page, { publicKey: { challenge: challenge() } });
    await first.close();

    const second = await setup({ store });
    assert.deepEqual(
      second.webauthn.authenticators().map((a) => a.id),
      ['platform'],
      'the default authenticator is not created twice',
    );
    const got = await second.webauthn.get(second.page, { publicKey: { challenge: challenge() } });
    assert.equal(got.id, created.id);
    assert.equal(parseAuthenticatorData(new Uint8Array((got.response as AuthenticatorAssertionResponse).authenticatorData)).signCount, 3);
    // What the store holds: PKCS#8 DER, base64url.
    const stored = store.listCredentials('platform')[0];
    assert.ok(stored);
    assert.equal(createPrivateKey({ key: Buffer.from(stored.privateKey, 'base64url'), format: 'der', type: 'pkcs8' }).asymmetricKeyType, 'ec');
    await second.close();
  });
});

describe('private keys stay out of logs, diagnostics and errors', () => {
  it('after successes and failures, no private key appears anywhere but the store', async () => {
    const s = await setup();
    const errors: unknown[] = [];
    const c = await s.webauthn.create(s.page, { publicKey: creationOptions({ authenticatorSelection: { residentKey: 'required' } }) });
    errors.push(await rejection(s.webauthn.create(s.page, { publicKey: creationOptions({ excludeCredentials: [{ type: 'public-key', id: c.rawId }] }) })));
    errors.push(await rejection(s.webauthn.get(s.page, { publicKey: { challenge: challenge(), rpId: 'other.example' } })));
    errors.push(await rejection(s.webauthn.get(s.page, { publicKey: { challenge: challenge(), allowCredentials: [{ type: 'public-key', id: new Uint8Array(4) }] } })));
    s.webauthn.automation.setUserVerified('platform', false);
    errors.push(await rejection(s.webauthn.get(s.page, { publicKey: { challenge: challenge(), userVerification: 'required' } })));
    const keys = s.webauthn.automation.getCredentials('platform').map((k) => k.privateKey);
    assert.equal(keys.length, 1);
    const haystack = [
      JSON.stringify(s.diagnostics),
      ...errors.map((e) => `${String(e)} ${e instanceof Error ? (e.stack ?? '') : ''}`),
      inspect(s.webauthn.store.listCredentials('platform'), { depth: 5 }),
      inspect(s.webauthn.store, { depth: 5 }),
      inspect(c, { depth: 5 }),
      JSON.stringify(c),
    ].join('\n');
    for (const key of keys) {
      assert.equal(haystack.includes(key), false, 'a private key leaked');
      assert.equal(haystack.includes(Buffer.from(key, 'base64url').toString('base64')), false, 'a private key leaked (base64)');
    }
    assert.match(inspect(s.webauthn.store.listCredentials('platform')), /privateKey: '\[redacted\]'/);
    await s.close();
  });
});
