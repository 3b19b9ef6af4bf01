// Active mode (a button click): with and without user activation, logged-in and logged-out
// users (the login popup), a popup the user closes.

import { DISMISS, SELECT0, getStep, identity, type Scenario } from '../scenario.js';

const active = (provider: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> => identity(provider, { mode: 'active', ...extra });
const loginForm = { '/login-form': { html: '<!doctype html><title>Sign in</title><form><input name="u"><button>Sign in</button></form>' } };

export const scenarios: Scenario[] = [
  { name: 'active: signed in, with activation', steps: [getStep(active(), [SELECT0], { activation: true })] },
  { name: 'active: signed in, without activation', steps: [getStep(active(), [SELECT0])] },
  { name: 'active: signed in, dismissed', steps: [getStep(active(), [DISMISS], { activation: true })] },
  { name: 'active: signed out, login popup signs in, chooser', setup: [], steps: [getStep(active(), [SELECT0], { activation: true })] },
  { name: 'active: logged-out status, login popup signs in', setup: [{ signOut: 'https://idp.example' }], steps: [getStep(active(), [SELECT0], { activation: true })] },
  { name: 'active: signed out, user closes the login popup', setup: [], idps: [{ config: { login_url: '/login-form' }, pages: loginForm }], closePopups: ['/login-form'], steps: [getStep(active(), [], { activation: true })] },
  { name: 'active: signed out, no login_url', setup: [], idps: [{ config: { login_url: null } }], steps: [getStep(active(), [], { activation: true })] },
  { name: 'active: returning user, no auto re-authn', steps: [getStep(identity(), [SELECT0]), getStep(active(), [SELECT0], { activation: true })] },
  { name: 'active: mediation silent is refused', steps: [getStep({ ...active(), mediation: 'silent' }, [], { activation: true })] },
  { name: 'active: two providers', idps: [{}, { origin: 'https://idp2.example' }], setup: [{ signIn: 'https://idp.example' }, { signIn: 'https://idp2.example' }], steps: [getStep({ identity: { mode: 'active', providers: [{ configURL: 'https://idp.example/fedcm/config.json', clientId: '123' }, { configURL: 'https://idp2.example/fedcm/config.json', clientId: '123' }] } }, [SELECT0], { activation: true })] },
  { name: 'active: login popup with loginHint in the login URL', setup: [], steps: [getStep(active({ loginHint: 'john_doe', domainHint: 'idp.example' }), [SELECT0], { activation: true })] },
];
