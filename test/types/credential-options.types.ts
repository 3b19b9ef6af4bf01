// Compile-time checks of fedkit/agent's public option types: `npm test` builds this file with
// tsc, so a type that accepts a misspelt member (an unused @ts-expect-error) or refuses the
// README's call fails the build. Nothing here runs.

import type { CredentialsContainer, IdentityCredentialRequestOptions } from 'fedkit/agent';

export function readmeCalls(credentials: CredentialsContainer, configURL: string): void {
  // The README's call: context and mode are optional, params is anything JSON-serializable.
  void credentials.get({ identity: { providers: [{ configURL, clientId: '123', params: { nonce: 'n-0S6_WzA2Mj' } }] } });
  void credentials.get({ identity: { providers: [{ configURL, clientId: '123', loginHint: 'jane', fields: ['name'] }], mode: 'active', context: 'signup' }, mediation: 'optional' });
  void credentials.get({ password: true, federated: { providers: ['https://idp.example'] }, mediation: 'silent' });
  void credentials.get({ otp: { transport: ['sms'] }, signal: new AbortController().signal });
  void credentials.create({ federated: { id: 'alice', provider: 'https://idp.example' } });
  void credentials.create({ password: { id: 'alice', password: 'secret' } });
  void credentials.create({ publicKey: { rp: { name: 'RP' }, user: { id: new Uint8Array(8), name: 'a', displayName: 'A' }, challenge: new Uint8Array(16), pubKeyCredParams: [{ type: 'public-key', alg: -7 }] } });
}

export function misspelt(credentials: CredentialsContainer, configURL: string): void {
  // @ts-expect-error `identiy` is not a member of CredentialRequestOptions.
  void credentials.get({ identiy: { providers: [] } });
  // @ts-expect-error `configUrl` (lower-case rl) is not a member: it is configURL.
  void credentials.get({ identity: { providers: [{ configUrl: configURL, clientId: '1' }] } });
  // @ts-expect-error `clientID` is not a member: it is clientId.
  void credentials.get({ identity: { providers: [{ configURL, clientID: '1' }] } });
  // @ts-expect-error mode is 'active' or 'passive'.
  void credentials.get({ identity: { providers: [{ configURL, clientId: '1' }], mode: 'button' } });
  // @ts-expect-error mediation is 'silent' | 'optional' | 'required' | 'conditional'.
  void credentials.get({ password: true, mediation: 'never' });
  // @ts-expect-error providers is required.
  const noProviders: IdentityCredentialRequestOptions = { mode: 'passive' };
  void noProviders;
}
