// Login status: Set-Login headers, navigator.login.setStatus() and the unknown state.

import { DISMISS, SELECT0, getStep, identity, type Scenario } from '../scenario.js';

export const scenarios: Scenario[] = [
  { name: 'login status: logged-out, passive request fails without accounts fetch', setup: [{ signOut: 'https://idp.example' }], steps: [getStep(identity(), [])] },
  { name: 'login status: unknown, no cookie', setup: [], steps: [getStep(identity(), [DISMISS])] },
  { name: 'login status: unknown, cookie from a page without Set-Login', setup: [{ visit: 'https://idp.example/mark_signedin' }, { visit: 'https://idp.example/login' }], steps: [getStep(identity(), [SELECT0])] },
  { name: 'login status: Set-Login logged-out between two requests', steps: [getStep(identity(), [DISMISS]), { ...getStep(identity(), []), visit: 'https://idp.example/mark_signedout' }] },
  { name: 'login status: Set-Login logged-in after logged-out', setup: [{ signOut: 'https://idp.example' }], steps: [{ ...getStep(identity(), [DISMISS]), visit: 'https://idp.example/login' }] },
  { name: 'login status: accounts answer Set-Login logged-out', idps: [{ overrides: { accounts: { json: { accounts: [] }, headers: { 'set-login': 'logged-out' } } } }], steps: [getStep(identity(), [DISMISS]), getStep(identity(), [])] },
  { name: 'login status: setStatus from the RP page', steps: [{ actions: [{ kind: 'setStatus', status: 'logged-out' }] }, getStep(identity(), [SELECT0])] },
  { name: 'login status: setStatus with an invalid value', steps: [{ actions: [{ kind: 'setStatus', status: 'maybe' }] }] },
  { name: 'IdentityProvider.close() outside a popup', steps: [{ actions: [{ kind: 'close' }] }] },
  { name: 'login status: mismatch with an empty accounts list', setup: [{ visit: 'https://idp.example/mark_signedin' }], idps: [{ accounts: [] }], steps: [getStep(identity(), [DISMISS])] },
];
