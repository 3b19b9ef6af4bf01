// The WPT FedCM harness, re-expressed (fedcm/support/fedcm-helper.sub.js): `fedcmTest()` gives a
// fresh world with what every WPT FedCM test starts from — the request checks of
// request-params-check.py on every endpoint, the rejection delay off, the cooldown reset, both
// IdPs marked signed in through Set-Login, and the IdP cookie set — plus the helpers tests use.

import { createAgent, type Agent, type Dialog, type DialogType, type Frame } from '../../../src/agent/index.js';
import { installIdp, installRp, startFixtureServer, type FixtureServer, type IdpController, type IdpOptions } from '../../fixtures/index.js';

export interface WptWorld {
  server: FixtureServer;
  agent: Agent;
  /** The test page (an https RP origin, as WPT's main origin). */
  page: Frame;
  /** manifest_origin: the main IdP. */
  idp: IdpController;
  /** alt_manifest_origin: a second, cross-site IdP. */
  alt: IdpController;
  /** WPT's default request options: `{identity: {providers: [{configURL, clientId: '1', nonce: '2'}]}}`. */
  requestOptions(provider?: Record<string, unknown>, extra?: Record<string, unknown>): Record<string, unknown>;
  /** fedcm_get_dialog_type_promise: the next dialog's type. */
  dialogType(): Promise<DialogType>;
  /** fedcm_get_and_select_first_account. */
  selectFirstAccount(): Promise<Dialog>;
  close(): Promise<void>;
}

export async function fedcmTest(options: { idp?: IdpOptions; alt?: IdpOptions; agent?: Parameters<typeof createAgent>[0] } = {}): Promise<WptWorld> {
  const server = await startFixtureServer();
  const idp = installIdp(server, { requestChecks: true, ...options.idp });
  const alt = installIdp(server, { origin: 'https://idp2.example', requestChecks: true, ...options.alt });
  installRp(server);
  const agent = createAgent({ hostRules: server.hostRules, ca: server.ca, ...options.agent });
  agent.automation.setDelayEnabled(false);
  agent.automation.resetCooldown();
  // mark_signed_in() for both IdPs (a top-level page answering Set-Login: logged-in), and
  // set_fedcm_cookie(): the IdP's SameSite=None session cookie.
  for (const which of [idp, alt]) {
    const signedIn = await agent.open(which.url('/login'));
    signedIn.close();
  }
  const page = await agent.open('https://rp.example/');
  await page.navigator.credentials!.preventSilentAccess();
  return {
    server,
    agent,
    page,
    idp,
    alt,
    requestOptions(provider = {}, extra = {}) {
      return { identity: { providers: [{ configURL: idp.configURL, clientId: '1', nonce: '2', ...provider }] }, ...extra };
    },
    async dialogType() {
      return (await agent.automation.waitForDialog()).dialogType;
    },
    async selectFirstAccount() {
      const dialog = await agent.automation.waitForDialog({ type: 'AccountChooser' });
      agent.automation.selectAccount(0);
      return dialog;
    },
    async close() {
      await agent.close();
      await server.close();
    },
  };
}
