// WPT fedcm/: loginHint and domainHint filter the IdP's accounts; no match is a mismatch
// (ConfirmIdpLogin), which the user can dismiss.

import assert from 'node:assert/strict';
import type { IdentityCredential } from '../../../src/agent/index.js';
import { getAndSelectFirstAccount, inWorld, rejectionName, selectManifest, type SupportWorld } from '../support/core-support.js';
import { subtest, wptFile } from '../wpt.js';

/** WPT request_options_with_login_hint / _with_domain_hint: `file` undefined is manifest.py. */
function hinted(w: SupportWorld, file: string | undefined, hint: Record<string, string>) {
  if (file !== undefined) selectManifest(w.idp, w.configURL(file));
  return w.options(file, w.idp, hint);
}

/** No account matches: the mismatch dialog, cancelled, gives NetworkError. */
async function expectMismatchThenCancel(w: SupportWorld, options: ReturnType<typeof hinted>): Promise<void> {
  const cred = w.page.navigator.credentials!.get(options);
  // fedcm_expect_dialog: the request must not settle before the dialog.
  const first = await Promise.race([cred.then(() => 'settled', () => 'settled'), w.dialogType()]);
  assert.equal(first, 'ConfirmIdpLogin');
  w.agent.automation.cancelDialog();
  assert.equal(await rejectionName(cred), 'NetworkError');
}

wptFile('fedcm/fedcm-loginhint.https.html', () => {
  subtest('No login hint matches an account.', () => inWorld((w) => expectMismatchThenCancel(w, hinted(w, undefined, { loginHint: 'nomatch' }))));

  subtest('Login hint matches an account.', () =>
    inWorld(async (w) => {
      const cred = (await getAndSelectFirstAccount(w, hinted(w, undefined, { loginHint: 'john_doe' }))) as IdentityCredential;
      assert.equal(cred.token, 'token');
    }),
  );

  subtest('Login hint matches an account from two accounts.', () =>
    inWorld(async (w) => {
      const cred = (await getAndSelectFirstAccount(w, hinted(w, 'manifest_with_two_accounts.json', { loginHint: 'john_doe' }))) as IdentityCredential;
      assert.equal(cred.token, 'account_id=john_doe');
    }),
  );
});

wptFile('fedcm/fedcm-domainhint-any.https.html', () => {
  subtest("Domain hint 'any' matches an account with any domain hint.", () =>
    inWorld(async (w) => {
      const cred = (await getAndSelectFirstAccount(w, hinted(w, 'manifest_with_two_accounts.json', { domainHint: 'any' }))) as IdentityCredential;
      assert.equal(cred.token, 'account_id=john_doe');
    }),
  );
});

wptFile('fedcm/fedcm-domainhint-matches-account.https.html', () => {
  subtest('Domain hint matches an account.', () =>
    inWorld(async (w) => {
      const cred = (await getAndSelectFirstAccount(w, hinted(w, undefined, { domainHint: 'idp.example' }))) as IdentityCredential;
      assert.equal(cred.token, 'token');
    }),
  );
});

wptFile('fedcm/fedcm-domainhint-matches-from-two-accounts.https.html', () => {
  subtest('Domain hint matches an account from two accounts.', () =>
    inWorld(async (w) => {
      const cred = (await getAndSelectFirstAccount(w, hinted(w, 'manifest_with_two_accounts.json', { domainHint: 'example' }))) as IdentityCredential;
      assert.equal(cred.token, 'account_id=john_doe');
    }),
  );
});

wptFile('fedcm/fedcm-no-domainhint-matches-account.https.html', () => {
  subtest('No domain hint matches an account.', () => inWorld((w) => expectMismatchThenCancel(w, hinted(w, undefined, { domainHint: 'nomatch' }))));
});
