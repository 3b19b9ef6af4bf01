// Several identity providers in one request.

import { CONFIG, CONFIG2, DISMISS, IDP, IDP2, SELECT0, SELECT1, getStep, type Scenario } from '../scenario.js';

const two = { identity: { providers: [{ configURL: CONFIG, clientId: '123' }, { configURL: CONFIG2, clientId: '123' }] } };
const both = [{ signIn: IDP }, { signIn: IDP2 }];
const idps = [{}, { origin: IDP2 }];

export const scenarios: Scenario[] = [
  { name: 'multi-IdP: both signed in, select the first', idps, setup: both, steps: [getStep(two, [SELECT0])] },
  { name: 'multi-IdP: both signed in, select the second', idps, setup: both, steps: [getStep(two, [SELECT1])] },
  { name: 'multi-IdP: both signed in, dismiss', idps, setup: both, steps: [getStep(two, [DISMISS])] },
  { name: 'multi-IdP: only the second signed in', idps, setup: [{ signIn: IDP2 }], steps: [getStep(two, [SELECT0])] },
  { name: 'multi-IdP: the first config fails', idps: [{ overrides: { config: { status: 500, body: 'x', headers: { 'content-type': 'text/plain' } } } }, { origin: IDP2 }], setup: both, steps: [getStep(two, [SELECT0])] },
  { name: 'multi-IdP: the second accounts list is empty', idps: [{}, { origin: IDP2, accounts: [] }], setup: both, steps: [getStep(two, [SELECT0])] },
  { name: 'multi-IdP: both configs fail', idps: [{ overrides: { config: { status: 500, body: 'x', headers: { 'content-type': 'text/plain' } } } }, { origin: IDP2, overrides: { config: { status: 404, body: 'x', headers: { 'content-type': 'text/plain' } } } }], setup: both, steps: [getStep(two, [])] },
  { name: 'multi-IdP: the same provider twice', setup: [{ signIn: IDP }], steps: [getStep({ identity: { providers: [{ configURL: CONFIG, clientId: '123' }, { configURL: CONFIG, clientId: '123' }] } }, [SELECT0])] },
  { name: 'multi-IdP: new client for both (metadata from each)', idps, setup: both, steps: [getStep({ identity: { providers: [{ configURL: CONFIG, clientId: 'n1' }, { configURL: CONFIG2, clientId: 'n2' }] } }, [SELECT1])] },
  { name: 'multi-IdP: returning user of the second, optional', idps, setup: both, steps: [getStep(two, [SELECT1]), getStep(two, [{ observe: true }])] },
];
