// The example in docs/webauthn.md (the test suite checks the two are identical and runs it):
// register a passkey on a page and sign in with it, with @simplewebauthn/server as the RP.
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { createAgent, formatDiagnostic, PublicKeyCredential, type AuthenticationResponseJSON, type RegistrationResponseJSON } from '../../../src/agent/index.js';

// The agent's WebAuthn state (agent.webauthn): one platform authenticator (a passkey manager) by default.
const agent = createAgent();
agent.on('diagnostic', (d) => console.error(formatDiagnostic(d)));
const page = await agent.open('https://rp.example/', { load: false });
const credentials = page.navigator.credentials!;

// Registration: the RP sends options as JSON, the page parses them and calls create().
const regOptions = await generateRegistrationOptions({
  rpName: 'RP',
  rpID: 'rp.example',
  userName: 'alice',
  userID: new Uint8Array([1, 2, 3, 4]),
  challenge: 'registration challenge', // use random bytes in a real RP
  attestationType: 'direct',
  authenticatorSelection: { residentKey: 'required' },
});
const created = await credentials.create({ publicKey: page.PublicKeyCredential!.parseCreationOptionsFromJSON(regOptions) });
if (!(created instanceof PublicKeyCredential)) throw new Error('no credential');
const registration = await verifyRegistrationResponse({
  response: created.toJSON() as RegistrationResponseJSON,
  expectedChallenge: regOptions.challenge,
  expectedOrigin: 'https://rp.example',
  expectedRPID: 'rp.example',
});
if (!registration.registrationInfo) throw new Error('registration failed');
console.log(`registered: ${registration.registrationInfo.fmt} attestation, counter ${registration.registrationInfo.credential.counter}`);
console.log(`clientDataJSON: ${Buffer.from(created.response.clientDataJSON).toString()}`);

// Sign-in with the discoverable credential (no allowCredentials).
const authOptions = await generateAuthenticationOptions({ rpID: 'rp.example', challenge: 'sign-in challenge' });
const asserted = await credentials.get({ publicKey: page.PublicKeyCredential!.parseRequestOptionsFromJSON(authOptions) });
if (!(asserted instanceof PublicKeyCredential)) throw new Error('no credential');
const response = asserted.toJSON() as AuthenticationResponseJSON;
const authentication = await verifyAuthenticationResponse({
  response,
  expectedChallenge: authOptions.challenge,
  expectedOrigin: 'https://rp.example',
  expectedRPID: 'rp.example',
  credential: registration.registrationInfo.credential,
});
console.log(`signed in: verified ${authentication.verified}, user handle ${response.response.userHandle}, counter ${authentication.authenticationInfo.newCounter}`);

// The WebDriver-style automation sees the credential (private key included, as WebDriver returns it).
const [stored] = agent.webauthn.automation.getCredentials('platform');
console.log(`stored: rpId ${stored?.rpId}, resident ${stored?.isResidentCredential}, signCount ${stored?.signCount}`);
await agent.close();
