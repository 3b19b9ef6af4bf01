import { AuthenticatorAssertionResponse, createAgent, PublicKeyCredential } from 'fedkit/agent';

// The agent comes with a platform authenticator: a passkey manager behind a screen lock.
const agent = createAgent();
const page = await agent.open('https://rp.example/', { load: false });
const credentials = page.navigator.credentials!;
console.log('passkeys:', await page.PublicKeyCredential!.isUserVerifyingPlatformAuthenticatorAvailable());

// Registration: the RP's server sends options as JSON (challenge: random bytes, in base64url).
const created = await credentials.create({
  publicKey: page.PublicKeyCredential!.parseCreationOptionsFromJSON({
    rp: { id: 'rp.example', name: 'RP' },
    user: { id: 'YWxpY2U', name: 'alice', displayName: 'Alice' },
    challenge: 'cmVnaXN0ZXI',
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  }),
});
// The page posts created.toJSON() to the RP, which verifies it (any WebAuthn server library).
if (created instanceof PublicKeyCredential) console.log(created.authenticatorAttachment, new TextDecoder().decode(created.response.clientDataJSON));

// Sign-in with the passkey: no user name needed, the user handle comes back.
const asserted = await credentials.get({ publicKey: page.PublicKeyCredential!.parseRequestOptionsFromJSON({ challenge: 'c2lnbiBpbg', rpId: 'rp.example' }) });
if (asserted instanceof PublicKeyCredential && asserted.response instanceof AuthenticatorAssertionResponse) {
  console.log('signed in as', new TextDecoder().decode(asserted.response.userHandle!));
}

// WebDriver-style automation sees the same authenticator and its passkey.
const [passkey] = agent.webauthn.automation.getCredentials('platform');
console.log(`${passkey?.rpId}: ${passkey?.userName}, signCount ${passkey?.signCount}`);

await agent.close();
