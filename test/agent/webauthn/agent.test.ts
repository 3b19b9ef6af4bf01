// WebAuthn wired into the agent: `page.navigator.credentials.create/get({ publicKey })` run on
// `agent.webauthn` (the state createWebAuthn() registered for the agent's core), verified by
// @simplewebauthn/server as an RP would; passkeys persist in a SQLite profile across agents and
// processes, their counters carrying on; `agent.webauthn.automation` drives the same
// authenticators; `frame.PublicKeyCredential` is the agent's interface object in secure contexts.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON as SwaAuthenticationJSON,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import {
  AuthenticatorAssertionResponse,
  AuthenticatorAttestationResponse,
  createAgent,
  ManualClock,
  MemoryWebAuthnStore,
  PublicKeyCredential,
  SqliteProfile,
  type Agent,
  type AgentOptions,
  type AuthenticationResponseJSON,
  type Frame,
  type RegistrationResponseJSON,
} from '../../../src/agent/index.js';
import { errorName, rejection, RP_ID, RP_ORIGIN } from './helpers.js';

/** The compiled agent module a child process imports (this file runs as dist/test/agent/webauthn/agent.test.js). */
const AGENT_MODULE = new URL('../../../src/agent/index.js', import.meta.url).href;

const USER_ID = new Uint8Array([1, 2, 3, 4]);

/** Registration through the page's navigator.credentials, verified by @simplewebauthn/server. */
async function register(page: Frame, extra: Partial<Parameters<typeof generateRegistrationOptions>[0]> = {}): Promise<{ credential: WebAuthnCredential; created: PublicKeyCredential }> {
  const options = await generateRegistrationOptions({
    rpName: 'RP',
    rpID: RP_ID,
    userName: 'alice',
    userID: USER_ID,
    attestationType: 'direct',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    ...extra,
  });
  const created = await page.navigator.credentials!.create({ publicKey: page.PublicKeyCredential!.parseCreationOptionsFromJSON(options) });
  assert.ok(created instanceof PublicKeyCredential, `expected a PublicKeyCredential, got ${String(created)}`);
  const result = await verifyRegistrationResponse({
    response: created.toJSON() as RegistrationResponseJSON,
    expectedChallenge: options.challenge,
    expectedOrigin: RP_ORIGIN,
    expectedRPID: RP_ID,
    requireUserVerification: true,
  });
  assert.equal(result.verified, true);
  assert.ok(result.registrationInfo);
  return { credential: result.registrationInfo.credential, created };
}

/** The JSON the page would send to the RP after get() with fresh options; the options' challenge. */
async function assertion(page: Frame, credentialId?: string): Promise<{ json: AuthenticationResponseJSON; challenge: string; asserted: PublicKeyCredential }> {
  const options = await generateAuthenticationOptions({
    rpID: RP_ID,
    userVerification: 'required',
    ...(credentialId === undefined ? {} : { allowCredentials: [{ id: credentialId }] }),
  });
  const asserted = await page.navigator.credentials!.get({ publicKey: page.PublicKeyCredential!.parseRequestOptionsFromJSON(options) });
  assert.ok(asserted instanceof PublicKeyCredential, `expected a PublicKeyCredential, got ${String(asserted)}`);
  return { json: asserted.toJSON() as AuthenticationResponseJSON, challenge: options.challenge, asserted };
}

async function verifyAssertion(json: AuthenticationResponseJSON | SwaAuthenticationJSON, challenge: string, credential: WebAuthnCredential): Promise<number> {
  const result = await verifyAuthenticationResponse({
    response: json as SwaAuthenticationJSON,
    expectedChallenge: challenge,
    expectedOrigin: RP_ORIGIN,
    expectedRPID: RP_ID,
    credential,
    requireUserVerification: true,
  });
  assert.equal(result.verified, true);
  return result.authenticationInfo.newCounter;
}

async function withAgent<T>(options: AgentOptions, run: (agent: Agent, page: Frame) => Promise<T>, url = 'https://rp.example/'): Promise<T> {
  const agent = createAgent(options);
  try {
    return await run(agent, await agent.open(url, { load: false }));
  } finally {
    await agent.close();
  }
}

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an ES module script (`node --input-type=module -e`); `input` reaches it as JSON in FEDKIT_TEST_INPUT. */
function runNode(script: string, input: unknown): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, FEDKIT_TEST_INPUT: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('navigator.credentials with publicKey, on an agent page', () => {
  let agent: Agent;
  let page: Frame;
  before(async () => {
    agent = createAgent();
    page = await agent.open('https://rp.example/', { load: false });
  });
  after(() => agent.close());

  it('create() registers a passkey and get() signs in with it; @simplewebauthn/server verifies both', async () => {
    const { credential, created } = await register(page);
    assert.ok(created instanceof page.PublicKeyCredential!, "an instance of the page's PublicKeyCredential");
    assert.ok(created.response instanceof AuthenticatorAttestationResponse);
    assert.equal(created.type, 'public-key');
    assert.equal(created.authenticatorAttachment, 'platform');
    assert.deepEqual(JSON.parse(Buffer.from(created.response.clientDataJSON).toString()), {
      type: 'webauthn.create',
      challenge: JSON.parse(Buffer.from(created.response.clientDataJSON).toString()).challenge,
      origin: RP_ORIGIN,
      crossOrigin: false,
    });
    assert.equal(credential.counter, 1);

    // The credential is in agent.webauthn: the container reached the agent's own state.
    const stored = agent.webauthn.automation.getCredentials('platform');
    assert.deepEqual(
      stored.map((c) => [c.credentialId, c.rpId, c.isResidentCredential, c.signCount]),
      [[credential.id, RP_ID, true, 1]],
    );

    // Discoverable sign-in (no allowCredentials): the user handle comes back.
    const first = await assertion(page);
    assert.ok(first.asserted.response instanceof AuthenticatorAssertionResponse);
    assert.equal(first.json.response.userHandle, Buffer.from(USER_ID).toString('base64url'));
    assert.equal(await verifyAssertion(first.json, first.challenge, credential), 2);
    // With allowCredentials, and the counter carrying on.
    const second = await assertion(page, credential.id);
    assert.equal(await verifyAssertion(second.json, second.challenge, { ...credential, counter: 2 }), 3);
    assert.equal(agent.webauthn.automation.getCredentials('platform')[0]?.signCount, 3);
  });

  it("failures reach the agent's diagnostics (the state reports through the agent's core)", async () => {
    const before = agent.diagnostics.length;
    const e = await rejection(page.navigator.credentials!.get({ publicKey: { challenge: new Uint8Array(32), rpId: 'other.example' } }));
    assert.equal(errorName(e), 'SecurityError');
    assert.ok(agent.diagnostics.length > before, 'a diagnostic was recorded');
  });

  it('silent mediation resolves null; store() is NotSupportedError; publicKey mixes with nothing', async () => {
    const credentials = page.navigator.credentials!;
    assert.equal(await credentials.get({ mediation: 'silent', publicKey: { challenge: new Uint8Array(32) } }), null);
    const { created } = await register(page, { userName: 'bob', userID: new Uint8Array([5]) });
    assert.equal(errorName(await rejection(credentials.store(created))), 'NotSupportedError');
    assert.equal(errorName(await rejection(credentials.get({ password: true, publicKey: { challenge: new Uint8Array(32) } }))), 'NotSupportedError');
  });

  it('conditional get() waits for the autofill list; agent.webauthn.automation picks the passkey', async () => {
    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    const pending = page.navigator.credentials!.get({ mediation: 'conditional', publicKey: page.PublicKeyCredential!.parseRequestOptionsFromJSON(options) });
    const request = await agent.webauthn.automation.waitForConditionalRequest();
    assert.equal(request.origin, RP_ORIGIN);
    assert.ok(request.credentials.length >= 1);
    const pick = request.credentials[0]!.credentialId;
    agent.webauthn.automation.selectConditionalCredential(pick);
    const credential = await pending;
    assert.ok(credential instanceof PublicKeyCredential);
    assert.equal(credential.id, pick);
  });
});

describe('agent.webauthn and AgentOptions.webauthn', () => {
  it('automation on the agent: a security key added with addVirtualAuthenticator serves the page', async () => {
    await withAgent({ webauthn: { defaultAuthenticator: false } }, async (agent, page) => {
      const automation = agent.webauthn.automation;
      assert.deepEqual(automation.getAuthenticators(), []);
      const id = automation.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true });
      assert.deepEqual(
        automation.getAuthenticators().map((a) => [a.id, a.transport]),
        [[id, 'usb']],
      );
      const { credential, created } = await register(page);
      assert.equal(created.authenticatorAttachment, 'cross-platform');
      assert.deepEqual(
        automation.getCredentials(id).map((c) => c.credentialId),
        [credential.id],
      );

      // Set User Verified: verification now fails, and a UV-required get() is NotAllowedError.
      automation.setUserVerified(id, false);
      assert.equal(errorName(await rejection(assertion(page))), 'NotAllowedError');
      automation.setUserVerified(id, true);

      // Set Credential Properties: the counter continues from what automation set.
      automation.setCredentialProperties(id, credential.id, { signCount: 41 });
      const a = await assertion(page);
      assert.equal(await verifyAssertion(a.json, a.challenge, { ...credential, counter: 41 }), 42);

      automation.removeCredential(id, credential.id);
      assert.equal(errorName(await rejection(assertion(page))), 'NotAllowedError');
      automation.removeVirtualAuthenticator(id);
      assert.deepEqual(automation.getAuthenticators(), []);
    });
  });

  it('automation: Add Credential puts a known key on the authenticator; the page signs in with it', async () => {
    await withAgent({}, async (agent, page) => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const credentialId = randomBytes(16).toString('base64url');
      agent.webauthn.automation.addCredential('platform', {
        credentialId,
        isResidentCredential: true,
        rpId: RP_ID,
        privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64url'),
        userHandle: 'AQID',
        signCount: 7,
      });
      const { asserted, json } = await assertion(page);
      assert.equal(asserted.id, credentialId);
      assert.equal(json.response.userHandle, 'AQID');
      const r = asserted.response;
      assert.ok(r instanceof AuthenticatorAssertionResponse);
      const clientDataHash = createHash('sha256').update(Buffer.from(r.clientDataJSON)).digest();
      const ok = createVerify('sha256')
        .update(Buffer.concat([Buffer.from(r.authenticatorData), clientDataHash]))
        .verify(publicKey, Buffer.from(r.signature));
      assert.equal(ok, true);
      assert.equal(Buffer.from(r.authenticatorData).readUInt32BE(33), 8, 'the counter went from 7 to 8');
    });
  });

  it('the options reach the module: userPresence answers the gesture, chooseCredential picks', async () => {
    const gestures: string[] = [];
    let declining = false;
    await withAgent(
      {
        webauthn: {
          userPresence: (request) => {
            gestures.push(request.operation);
            return !declining;
          },
          chooseCredential: (request) => request.credentials.at(-1)?.credentialId ?? null,
        },
      },
      async (_agent, page) => {
        const one = await register(page, { userName: 'one', userID: new Uint8Array([1]) });
        await register(page, { userName: 'two', userID: new Uint8Array([2]) });
        // Newest first, so the chooser's last candidate is the older credential.
        const { asserted } = await assertion(page);
        assert.equal(asserted.id, one.credential.id);
        declining = true;
        assert.equal(errorName(await rejection(assertion(page))), 'NotAllowedError');
        assert.deepEqual(gestures, ['create', 'create', 'get', 'get']);
      },
    );
  });

  it('AgentOptions.webauthn.store is used as given; by default an agent on a MemoryProfile keeps passkeys in memory', async () => {
    const store = new MemoryWebAuthnStore();
    const id = await withAgent({ webauthn: { store } }, async (_agent, page) => (await register(page)).credential.id);
    assert.deepEqual(
      store.listCredentials('platform').map((c) => c.credentialId),
      [id],
    );
    // A second agent on the same store signs in; a fresh agent without one has nothing.
    await withAgent({ webauthn: { store } }, async (_agent, page) => assert.equal((await assertion(page)).asserted.id, id));
    await withAgent({}, async (agent, page) => {
      assert.deepEqual(agent.webauthn.automation.getCredentials('platform'), []);
      assert.equal(errorName(await rejection(assertion(page))), 'NotAllowedError');
    });
  });

  it("the agent's clock drives WebAuthn timeouts", async () => {
    const clock = new ManualClock();
    await withAgent({ clock, webauthn: { defaultAuthenticator: false } }, async (_agent, page) => {
      // No authenticator: the request waits, and the timeout (agent clock) ends it.
      const pending = page.navigator.credentials!.get({ publicKey: { challenge: new Uint8Array(32), timeout: 1000 } });
      const settled = rejection(pending);
      await new Promise((r) => setImmediate(r));
      clock.advance(1000);
      assert.equal(errorName(await settled), 'NotAllowedError');
    });
  });
});

describe('frame.PublicKeyCredential', () => {
  it("is the agent's interface object in secure contexts, absent elsewhere", async () => {
    await withAgent({}, async (agent, page) => {
      assert.equal(page.PublicKeyCredential, agent.webauthn.PublicKeyCredential);
      assert.equal(page.PublicKeyCredential?.name, 'PublicKeyCredential');
      assert.ok(Object.getPrototypeOf(page.PublicKeyCredential) === PublicKeyCredential);
      const iframe = await page.openFrame('https://other.example/', { load: false });
      assert.equal(iframe.PublicKeyCredential, agent.webauthn.PublicKeyCredential);
      const dataFrame = await page.openFrame('data:text/html,hi');
      assert.equal(dataFrame.PublicKeyCredential, undefined);
      const local = await agent.open('http://localhost:8080/', { load: false });
      assert.equal(local.PublicKeyCredential, agent.webauthn.PublicKeyCredential);
      const insecure = await agent.open('http://rp.example/', { load: false });
      assert.equal(insecure.isSecureContext, false);
      assert.equal(insecure.PublicKeyCredential, undefined);
      assert.equal(insecure.navigator.credentials, undefined);
    });
  });

  it("isUserVerifyingPlatformAuthenticatorAvailable() and getClientCapabilities() answer for the agent's authenticators", async () => {
    await withAgent({}, async (_agent, page) => {
      assert.equal(await page.PublicKeyCredential!.isUserVerifyingPlatformAuthenticatorAvailable(), true);
      const caps = await page.PublicKeyCredential!.getClientCapabilities();
      assert.equal(caps['userVerifyingPlatformAuthenticator'], true);
      assert.equal(caps['passkeyPlatformAuthenticator'], true);
      assert.equal(await page.PublicKeyCredential!.isConditionalMediationAvailable(), true);
    });
    await withAgent({ webauthn: { defaultAuthenticator: false } }, async (agent, page) => {
      assert.equal(await page.PublicKeyCredential!.isUserVerifyingPlatformAuthenticatorAvailable(), false);
      // A roaming key does not count; a platform authenticator with user verification does.
      agent.webauthn.automation.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'usb', hasUserVerification: true });
      assert.equal(await page.PublicKeyCredential!.isUserVerifyingPlatformAuthenticatorAvailable(), false);
      agent.webauthn.automation.addVirtualAuthenticator({ protocol: 'ctap2', transport: 'internal', hasUserVerification: true });
      assert.equal(await page.PublicKeyCredential!.isUserVerifyingPlatformAuthenticatorAvailable(), true);
    });
    // The base interface belongs to no agent.
    assert.equal(await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable(), false);
  });
});

describe('passkeys in a SQLite profile', { timeout: 120_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-webauthn-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('agent A registers, agent B on the same file signs in, then another process does; the counter continues', async () => {
    const path = join(dir, 'profile.db');
    const { credential } = await withAgent({ profile: path }, async (_agent, page) => register(page));
    assert.equal(credential.counter, 1);

    // Agent B, same process, after A closed the file.
    await withAgent({ profile: path }, async (agent, page) => {
      assert.deepEqual(
        agent.webauthn.automation.getAuthenticators().map((a) => a.id),
        ['platform'],
        'the default authenticator came back from the file (not a second one)',
      );
      const { json, challenge } = await assertion(page);
      assert.equal(await verifyAssertion(json, challenge, credential), 2);
    });

    // Agent C in another process: it imports dist/src/agent/index.js and answers the RP's options.
    const options = await generateAuthenticationOptions({ rpID: RP_ID, userVerification: 'required' });
    const script = `
      import { createAgent } from ${JSON.stringify(AGENT_MODULE)};
      const { path, options } = JSON.parse(process.env.FEDKIT_TEST_INPUT);
      const agent = createAgent({ profile: path });
      const page = await agent.open('https://rp.example/', { load: false });
      const credential = await page.navigator.credentials.get({ publicKey: page.PublicKeyCredential.parseRequestOptionsFromJSON(options) });
      await agent.close();
      console.log(JSON.stringify(credential.toJSON()));
    `;
    const child = await runNode(script, { path, options });
    assert.equal(child.code, 0, child.stderr);
    const json = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as AuthenticationResponseJSON;
    assert.equal(json.id, credential.id);
    assert.equal(await verifyAssertion(json, options.challenge, { ...credential, counter: 2 }), 3);

    // Back here: the file holds counter 3, and the next assertion says 4.
    await withAgent({ profile: path }, async (agent, page) => {
      assert.equal(agent.webauthn.automation.getCredentials('platform')[0]?.signCount, 3);
      const { json: next, challenge } = await assertion(page, credential.id);
      assert.equal(await verifyAssertion(next, challenge, { ...credential, counter: 3 }), 4);
    });
  });

  it("a SqliteProfile passed as an object: the agent uses its webauthnStore; it keeps the caller's authenticators", async () => {
    const path = join(dir, 'object.db');
    const profile = SqliteProfile.open(path);
    try {
      let id = '';
      await withAgent({ profile, webauthn: { defaultAuthenticator: false } }, async (agent, page) => {
        id = agent.webauthn.automation.addVirtualAuthenticator({ protocol: 'ctap2_1', transport: 'hybrid', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, aaguid: 'f8a011f3-8c0a-4d15-8006-17111f9edc7d' });
        await register(page);
      });
      // The store is the profile's: the authenticator, its properties and its credential are in the file.
      const [stored] = profile.webauthnStore.listAuthenticators();
      assert.equal(stored?.id, id);
      assert.equal(stored?.transport, 'hybrid');
      assert.equal(stored?.protocol, 'ctap2_1');
      assert.equal(stored?.aaguid, 'f8a011f38c0a4d15800617111f9edc7d');
      assert.deepEqual(stored?.algorithms, [-7, -8, -257]);
      assert.equal(profile.webauthnStore.listCredentials(id).length, 1);
      // The private key is stored (PKCS#8) but util.inspect (console.log) of a record hides it.
      const record = profile.webauthnStore.listCredentials(id)[0]!;
      assert.match(record.privateKey, /^[A-Za-z0-9_-]+$/);
      const secret = record.privateKey.slice(0, 40);
      assert.ok(!inspect(profile.webauthnStore.listCredentials(id)).includes(secret));
      assert.match(inspect(record), /privateKey: '\[redacted\]'/);
      assert.ok(!inspect(profile, { depth: 10 }).includes(secret));
      assert.ok(!inspect(profile.webauthnStore, { depth: 10 }).includes(secret));
    } finally {
      profile.close();
    }
    // No authenticator is added to a file that has one (defaultAuthenticator only fills an empty store).
    await withAgent({ profile: path }, async (agent) => {
      assert.deepEqual(
        agent.webauthn.automation.getAuthenticators().map((a) => a.transport),
        ['hybrid'],
      );
    });
  });

  it('the private key is in the file (0600) and nowhere in diagnostics', async () => {
    const path = join(dir, 'secrets.db');
    const key = await withAgent({ profile: path }, async (agent, page) => {
      await register(page);
      await rejection(page.navigator.credentials!.get({ publicKey: { challenge: new Uint8Array(32), rpId: 'other.example' } }));
      const [privateKey] = agent.webauthn.automation.getCredentials('platform').map((c) => c.privateKey);
      assert.ok(privateKey);
      assert.ok(agent.diagnostics.length > 0);
      assert.ok(!JSON.stringify(agent.diagnostics).includes(privateKey.slice(0, 40)));
      return privateKey;
    });
    // After close, the WAL is folded into the file: the key is there, as base64url text.
    assert.ok(readFileSync(path).toString('latin1').includes(key));
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });
});
