// WPT fedcm/fedcm-button-and-other-account/ (tentative): active mode (`identity.mode: "active"`,
// after a user click: `page.activate()` plays test_driver.bless) and "use another account".

import assert from 'node:assert/strict';
import { jsdomPopups, type CredentialRequestOptions, type IdentityCredential, type IdentityCredentialRequestOptions } from '../../../src/agent/index.js';
import { defaultToken, echoField } from '../../fixtures/index.js';
import { rejection } from '../../helpers/world.js';
import { dialogTypeOrSettled, getAndSelectFirstAccount, setAccountsCookie, useVariableAccountsManifest } from '../support/extra-fedcm.js';
import { fedcmTest, type WptWorld } from '../support/world.js';
import { subtest, wptFile } from '../wpt.js';

async function inWorld(fn: (w: WptWorld) => Promise<void>): Promise<void> {
  const w = await fedcmTest({ agent: { popupHost: jsdomPopups() } });
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

type Options = CredentialRequestOptions & { identity: IdentityCredentialRequestOptions };

/** request_options_with_mediation_required(), optionally in active mode. */
function required(w: WptWorld, mode?: 'active'): Options {
  const options: Options = { identity: { providers: [{ configURL: w.idp.configURL, clientId: '1', nonce: '2' }] }, mediation: 'required' };
  if (mode) options.identity.mode = mode;
  return options;
}

/** manifest_with_rp_mode.json: accounts.py, and token_with_rp_mode.py ("mode=<POST mode>"). */
function useRpModeManifest(w: WptWorld): void {
  w.idp.setToken(echoField('mode'));
}

wptFile('fedcm/fedcm-button-and-other-account/fedcm-button-mode-basics.tentative.https.html', () => {
  subtest('Test that the active mode without user activation will fail.', () =>
    inWorld(async (w) => {
      const e = (await rejection(w.page.navigator.credentials!.get(required(w, 'active')))) as DOMException;
      assert.equal(e.name, 'NetworkError');
    }),
  );

  subtest('Test that the active mode succeeds with user activation.', () =>
    inWorld(async (w) => {
      useRpModeManifest(w);
      w.page.activate();
      const cred = await getAndSelectFirstAccount(w, required(w, 'active'));
      assert.equal(cred.token, 'mode=active');
    }),
  );

  subtest('Test that the mediation:silent is not supported in active mode.', () =>
    inWorld(async (w) => {
      useRpModeManifest(w);
      const options = required(w, 'active');
      options.mediation = 'silent';
      w.page.activate();
      const e = (await rejection(getAndSelectFirstAccount(w, options))) as DOMException;
      assert.equal(e.name, 'NotSupportedError');
    }),
  );
});

wptFile('fedcm/fedcm-button-and-other-account/fedcm-button-mode-auto-selected-flag.tentative.https.html', () => {
  subtest('Test that the auto selected flag can be true in active mode.', () =>
    inWorld(async (w) => {
      // request_options_with_mediation_optional("manifest_with_auto_selected_flag.json"): the
      // alternate IdP, clientId '123' (approved), mediation 'optional'; the token is
      // "is_auto_selected=<POST is_auto_selected>".
      w.alt.setToken(echoField('is_auto_selected'));
      const options = (): Options => ({
        identity: { providers: [{ configURL: w.alt.configURL, clientId: '123', nonce: '2' }], mode: 'active' },
        mediation: 'optional',
      });
      w.page.activate();
      let cred = await getAndSelectFirstAccount(w, options());
      assert.equal(cred.token, 'is_auto_selected=false');

      // Chromium 156 signs a returning user in in active mode without any dialog, not even the
      // AutoReauthn one (the differential scenario "active: returning user"); WPT checks only the flag.
      const again = w.page.navigator.credentials!.get(options());
      assert.equal(await dialogTypeOrSettled(w, again), 'settled', 'active mode shows no dialog to a returning user');
      cred = (await again) as IdentityCredential;
      assert.equal(cred.token, 'is_auto_selected=true');
      assert.equal(cred.isAutoSelected, true);
    }),
  );
});

wptFile('fedcm/fedcm-button-and-other-account/fedcm-active-replaces-passive.tentative.https.html', () => {
  subtest('Test that the active mode can replace passive mode.', () =>
    inWorld(async (w) => {
      useRpModeManifest(w);
      const first = rejection(w.page.navigator.credentials!.get(required(w)));
      w.page.activate();
      const second = await getAndSelectFirstAccount(w, required(w, 'active'));
      assert.equal(second.token, 'mode=active');
      assert.equal(((await first) as DOMException).name, 'NetworkError');
    }),
  );
});

wptFile('fedcm/fedcm-button-and-other-account/fedcm-active-cannot-replace-active.tentative.https.html', () => {
  subtest('Test that the active mode cannot replace active mode.', () =>
    inWorld(async (w) => {
      useRpModeManifest(w);
      w.page.activate();
      const first = getAndSelectFirstAccount(w, required(w, 'active'));
      const second = rejection(w.page.navigator.credentials!.get(required(w, 'active')));
      const cred = await first;
      assert.equal(cred.token, 'mode=active');
      assert.equal(((await second) as DOMException).name, 'NotAllowedError');
    }),
  );
});

wptFile('fedcm/fedcm-button-and-other-account/fedcm-passive-cannot-replace-active.tentative.https.html', () => {
  subtest('Test that the passive mode cannot replace active mode.', () =>
    inWorld(async (w) => {
      useRpModeManifest(w);
      w.page.activate();
      const first = getAndSelectFirstAccount(w, required(w, 'active'));
      const second = rejection(w.page.navigator.credentials!.get(required(w)));
      const cred = await first;
      assert.equal(cred.token, 'mode=active');
      assert.equal(((await second) as DOMException).name, 'NotAllowedError');
    }),
  );
});

wptFile('fedcm/fedcm-button-and-other-account/fedcm-passive-after-active.tentative.https.html', () => {
  subtest('Test that the passive mode can succeed after active mode.', () =>
    inWorld(async (w) => {
      useRpModeManifest(w);
      w.page.activate();
      const first = await getAndSelectFirstAccount(w, required(w, 'active'));
      assert.equal(first.token, 'mode=active');
      // The passive request uses manifest.py, whose token.py answers "token".
      w.idp.setToken(defaultToken);
      const second = await getAndSelectFirstAccount(w, required(w));
      assert.equal(second.token, 'token');
    }),
  );
});

/**
 * The "use other account" scenario: the chooser shows John; the IdP is told to return two
 * accounts (when `addAccount`), the user clicks "use other account", login.html runs in the
 * popup, the chooser comes back and its first account is chosen.
 */
async function useOtherAccount(w: WptWorld, options: { active: boolean; addAccount: boolean }): Promise<IdentityCredential> {
  await setAccountsCookie(w, '1');
  useVariableAccountsManifest(w);
  if (options.active) w.page.activate();
  const p = w.page.navigator.credentials!.get(required(w, options.active ? 'active' : undefined));
  assert.equal(await dialogTypeOrSettled(w, p), 'AccountChooser');

  if (options.addAccount) await setAccountsCookie(w, '2');
  w.agent.automation.clickDialogButton('ConfirmIdpLoginContinue');

  assert.equal(await dialogTypeOrSettled(w, p), 'AccountChooser');
  // The first account is the one that most recently signed in.
  w.agent.automation.selectAccount(0);
  // fedcm-use-other-account (passive) adds fedcm_settles_without_dialog: no further dialog.
  if (!options.active) assert.equal(await dialogTypeOrSettled(w, p), 'settled');
  return (await p) as IdentityCredential;
}

wptFile('fedcm/fedcm-button-and-other-account/fedcm-use-other-account.tentative.https.html', () => {
  subtest('Test that the "Use Other Account" button works correctly.', () =>
    inWorld(async (w) => {
      const cred = await useOtherAccount(w, { active: false, addAccount: true });
      assert.equal(cred.token, 'account_id=jane_doe');
    }),
  );
});

wptFile('fedcm/fedcm-button-and-other-account/fedcm-use-other-account-button-flow.tentative.https.html', () => {
  subtest('Test that the "Use Other Account" active works correctly.', () =>
    inWorld(async (w) => {
      const cred = await useOtherAccount(w, { active: true, addAccount: true });
      assert.equal(cred.token, 'account_id=jane_doe');
    }),
  );

  subtest('Test that the "Use Other Account" active works correctly when accounts do not change.', () =>
    inWorld(async (w) => {
      const cred = await useOtherAccount(w, { active: true, addAccount: false });
      assert.equal(cred.token, 'account_id=1234');
    }),
  );
});
