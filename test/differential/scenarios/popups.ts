// continue_on popups and error-detail pages.

import { SELECT0, getStep, identity, scriptPage, type IdpSpec, type Scenario } from '../scenario.js';

const continueTo = (url: string, pages: IdpSpec['pages'] = {}): IdpSpec => ({ token: { json: { continue_on: url }, cors: true }, pages });

export const scenarios: Scenario[] = [
  { name: 'continue_on: the page resolves a token', idps: [continueTo('/continue', { '/continue': scriptPage('Continue', "IdentityProvider.resolve('continued-token');") })], steps: [getStep(identity(), [SELECT0])] },
  { name: 'continue_on: the page resolves with an accountId', idps: [continueTo('/continue', { '/continue': scriptPage('Continue', "IdentityProvider.resolve('t2', { accountId: '1234' });") })], steps: [getStep(identity({ clientId: 'new-client' }), [SELECT0])] },
  { name: 'continue_on: the page calls close()', idps: [continueTo('/continue', { '/continue': scriptPage('Continue', 'IdentityProvider.close();') })], steps: [getStep(identity(), [SELECT0])] },
  // Not here: the user closing the continue_on popup. Chromium 156 leaves get() pending then (no
  // settlement within 12 s, asked of /usr/bin/chromium), which a bounded run cannot record.
  { name: 'continue_on: absolute same-origin URL with a query', idps: [continueTo('https://idp.example/continue?step=2', { '/continue': scriptPage('Continue', "IdentityProvider.resolve('q-token');") })], steps: [getStep(identity(), [SELECT0])] },
  { name: 'continue_on: cross-origin URL', idps: [continueTo('https://other.example/continue')], steps: [getStep(identity(), [SELECT0, { button: 'ErrorGotIt' }])] },
  { name: 'continue_on: active mode', idps: [continueTo('/continue', { '/continue': scriptPage('Continue', "IdentityProvider.resolve('active-token');") })], steps: [getStep(identity({}, { mode: 'active' }), [SELECT0], { activation: true })] },
  { name: 'continue_on: resolve a token object', idps: [continueTo('/continue', { '/continue': scriptPage('Continue', "IdentityProvider.resolve({ a: 1 });") })], steps: [getStep(identity(), [SELECT0])] },
];
