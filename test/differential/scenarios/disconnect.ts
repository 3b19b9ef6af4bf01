// IdentityCredential.disconnect(): with and without a connection, endpoint failures, options.

import { CONFIG, SELECT0, getStep, identity, type Scenario, type Step } from '../scenario.js';

const disconnect = (options: Record<string, unknown> = { configURL: CONFIG, clientId: '123', accountHint: '1234' }): Step => ({ actions: [{ kind: 'disconnect', options }] });
const signIn = getStep(identity(), [SELECT0]);

export const scenarios: Scenario[] = [
  { name: 'disconnect: after a sign-in', steps: [signIn, disconnect()] },
  { name: 'disconnect: without a connection', steps: [disconnect()] },
  { name: 'disconnect: after a sign-in, by email hint', steps: [signIn, disconnect({ configURL: CONFIG, clientId: '123', accountHint: 'john_doe@idp.example' })] },
  { name: 'disconnect: then the account is new again', steps: [signIn, disconnect(), getStep(identity(), [SELECT0])] },
  { name: 'disconnect: endpoint answers 500', idps: [{ overrides: { disconnect: { status: 500, body: 'x', headers: { 'content-type': 'text/plain' }, cors: true } } }], steps: [signIn, disconnect()] },
  { name: 'disconnect: no CORS headers', idps: [{ overrides: { disconnect: { json: { account_id: '1234' } } } }], steps: [signIn, disconnect()] },
  { name: 'disconnect: no disconnect_endpoint', idps: [{ config: { disconnect_endpoint: null } }], steps: [signIn, disconnect()] },
  { name: 'disconnect: answer without account_id', idps: [{ overrides: { disconnect: { json: {}, cors: true } } }], steps: [signIn, disconnect()] },
  { name: 'disconnect: missing accountHint', steps: [disconnect({ configURL: CONFIG, clientId: '123' })] },
  { name: 'disconnect: missing clientId', steps: [disconnect({ configURL: CONFIG, accountHint: '1234' })] },
  { name: 'disconnect: unknown provider', steps: [disconnect({ configURL: 'https://idp2.example/fedcm/config.json', clientId: '123', accountHint: '1234' })] },
];
