// WPT fedcm/: returning accounts (auto re-authentication, is_auto_selected), silent mediation,
// and aborting.

import assert from 'node:assert/strict';
import type { IdentityCredential } from '../../../src/agent/index.js';
import { expectAutoReauthn, getAndSelectFirstAccount, inWorld, rejectionName, selectManifest, type SupportWorld } from '../support/core-support.js';
import { subtest, wptFile } from '../wpt.js';

/** WPT request_options_with_mediation_optional(file): the alt IdP, the approved clientId '123', mediation 'optional'. */
function optional(w: SupportWorld, file: string) {
  selectManifest(w.alt, w.configURL(file, w.alt));
  return w.options(file, w.alt, { clientId: '123' }, { mediation: 'optional' });
}

wptFile('fedcm/fedcm-returning-account-auto-reauthn.https.html', () => {
  subtest('Test that the returning account from the two accounts will be auto re-authenticated.', () =>
    inWorld(async (w) => {
      // Signs in john_doe so that they are a returning user.
      let cred = (await getAndSelectFirstAccount(w, optional(w, 'manifest_with_single_account.json'))) as IdentityCredential;
      assert.equal(cred.token, 'account_id=john_doe');
      // Jane and John come back in that order; John is returning, Jane is new: John is signed in.
      cred = await expectAutoReauthn(w, w.page.navigator.credentials!.get(optional(w, 'manifest_with_two_accounts.json')));
      assert.equal(cred.token, 'account_id=john_doe');
      assert.equal(cred.isAutoSelected, true);
    }),
  );
});

wptFile('fedcm/fedcm-auto-reauthn-without-approved-clients.https.html', () => {
  subtest('Test that if the clientId is missing from approved_clients then auto reauthentication cannot occur.', () =>
    inWorld(async (w) => {
      const options = optional(w, 'manifest_with_single_account.json');
      options.identity.providers[0]!['clientId'] = 'nomatch';
      const cred = (await getAndSelectFirstAccount(w, options)) as IdentityCredential;
      assert.equal(cred.token, 'account_id=john_doe');
      selectManifest(w.alt, w.configURL('manifest_with_single_account.json', w.alt));
      assert.equal(await rejectionName(w.page.navigator.credentials!.get({ ...options, mediation: 'silent' })), 'NetworkError');
    }),
  );
});

wptFile('fedcm/fedcm-auto-selected-flag.https.html', () => {
  subtest('Test that the is_auto_selected bit is properly sent.', () =>
    inWorld(async (w) => {
      let cred = (await getAndSelectFirstAccount(w, optional(w, 'manifest_with_auto_selected_flag.json'))) as IdentityCredential;
      assert.equal(cred.token, 'is_auto_selected=false');
      cred = await expectAutoReauthn(w, w.page.navigator.credentials!.get(optional(w, 'manifest_with_auto_selected_flag.json')));
      assert.equal(cred.token, 'is_auto_selected=true');
      assert.equal(cred.isAutoSelected, true);
    }),
  );
});

wptFile('fedcm/fedcm-after-abort.https.html', () => {
  subtest('Get after abort should work', () =>
    inWorld(async (w) => {
      const controller = new AbortController();
      const first = getAndSelectFirstAccount(w, w.options(undefined, w.idp, {}, { signal: controller.signal }));
      controller.abort();
      assert.equal(await rejectionName(first), 'AbortError');
      const second = (await getAndSelectFirstAccount(w, w.options())) as IdentityCredential;
      assert.equal(second.token, 'token');
    }),
  );
});

wptFile('fedcm/fedcm-abort-silent-mediation-not-permitted.https.html', () => {
  subtest('Test the abort signal when request fails due to silent mediation being disallowed', () =>
    inWorld(async (w) => {
      const controller = new AbortController();
      const cred = getAndSelectFirstAccount(w, w.options(undefined, w.idp, {}, { signal: controller.signal, mediation: 'silent' }));
      controller.abort();
      assert.equal(await rejectionName(cred), 'NetworkError');
    }),
  );
});
