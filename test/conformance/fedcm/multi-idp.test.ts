// WPT fedcm/fedcm-multi-idp/: one get() with two IdPs (idp.example and idp2.example, each with
// John's account), as request_options_with_two_idps builds it.

import assert from 'node:assert/strict';
import type { IdentityCredential } from '../../../src/agent/index.js';
import { rejection } from '../../helpers/world.js';
import { expectAutoReauthn, getAndSelectFirstAccount, twoIdps, withSelection } from '../support/extra-fedcm.js';
import { fedcmTest, type WptWorld } from '../support/world.js';
import { subtest, wptFile } from '../wpt.js';

/** Runs `fn` in a fresh fedcm_test world. */
async function inWorld(fn: (w: WptWorld) => Promise<void>): Promise<void> {
  const w = await fedcmTest();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

wptFile('fedcm/fedcm-multi-idp/fedcm-multi-idp-basic.https.html', () => {
  subtest('Multi IDP FedCM call succeeds when picking the first account.', () =>
    inWorld(async (w) => {
      const cred = await getAndSelectFirstAccount(w, twoIdps(w));
      assert.equal(cred.token, 'token');
      assert.equal(cred.configURL, w.idp.configURL);
    }),
  );

  subtest('Multi IDP FedCM call succeeds when picking account from the second IDP.', () =>
    inWorld(async (w) => {
      // Each IdP has one account, so the second one is the second IdP's.
      const cred = (await withSelection(w, 1, w.page.navigator.credentials!.get(twoIdps(w)))) as IdentityCredential;
      assert.equal(cred.token, 'token');
      assert.equal(cred.configURL, w.alt.configURL);
    }),
  );
});

wptFile('fedcm/fedcm-multi-idp/fedcm-multi-idp-abort.https.html', () => {
  subtest('Test that the abort signal works when multiple IDPs are used.', () =>
    inWorld(async (w) => {
      const controller = new AbortController();
      const p = withSelection(w, 0, w.page.navigator.credentials!.get({ ...twoIdps(w), signal: controller.signal }));
      controller.abort();
      assert.equal(((await rejection(p)) as DOMException).name, 'AbortError');
    }),
  );
});

wptFile('fedcm/fedcm-multi-idp/fedcm-multi-idp-context.https.html', () => {
  const withContext = (w: WptWorld, context?: string): Record<string, unknown> => {
    const options = twoIdps(w) as { identity: Record<string, unknown> };
    if (context !== undefined) options.identity['context'] = context;
    return options;
  };

  subtest("FedCM multi IDP call defaults to 'signin' context.", () =>
    inWorld(async (w) => {
      const p = w.page.navigator.credentials!.get(withContext(w));
      await w.agent.automation.waitForDialog();
      assert.ok(w.agent.automation.getTitle().title.toLowerCase().includes('sign in'));
      await withSelection(w, 0, p);
    }),
  );

  subtest('FedCM multi IDP with non-default context.', () =>
    inWorld(async (w) => {
      const p = w.page.navigator.credentials!.get(withContext(w, 'signup'));
      await w.agent.automation.waitForDialog();
      assert.ok(w.agent.automation.getTitle().title.toLowerCase().includes('sign up'));
      await withSelection(w, 0, p);
    }),
  );
});

wptFile('fedcm/fedcm-multi-idp/fedcm-multi-idp-mediation-optional.https.html', () => {
  subtest('Mediation optional can succeed without a returning account.', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, twoIdps(w, 'optional'));
    }),
  );

  subtest('Mediation optional automatically succeeds when there is one returning account.', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, twoIdps(w));
      await expectAutoReauthn(w, w.page.navigator.credentials!.get(twoIdps(w, 'optional')));
    }),
  );

  subtest('Mediation optional can succeed when there is more than one returning account.', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, twoIdps(w));
      await withSelection(w, 1, w.page.navigator.credentials!.get(twoIdps(w)));
      await getAndSelectFirstAccount(w, twoIdps(w, 'optional'));
    }),
  );
});

wptFile('fedcm/fedcm-multi-idp/fedcm-multi-idp-mediation-silent.https.html', () => {
  subtest('Mediation silent fails if there is no returning account.', () =>
    inWorld(async (w) => {
      const e = (await rejection(w.page.navigator.credentials!.get(twoIdps(w, 'silent')))) as DOMException;
      assert.equal(e.name, 'NetworkError');
    }),
  );

  subtest('Mediation silent succeeds when there is one returning account.', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, twoIdps(w));
      const cred = (await w.page.navigator.credentials!.get(twoIdps(w, 'silent'))) as IdentityCredential;
      assert.equal(cred.token, 'token');
    }),
  );

  subtest('Mediation silent fails when there is more than one returning account.', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, twoIdps(w));
      await withSelection(w, 1, w.page.navigator.credentials!.get(twoIdps(w)));
      const e = (await rejection(w.page.navigator.credentials!.get(twoIdps(w, 'silent')))) as DOMException;
      assert.equal(e.name, 'NetworkError');
    }),
  );
});

wptFile('fedcm/fedcm-multi-idp/fedcm-too-many-idps.https.html', () => {
  subtest('Multi IDP FedCM call fails when too many IDPs are requested.', () =>
    inWorld(async (w) => {
      const providers = Array.from({ length: 11 }, (_, i) => ({ configURL: `${w.idp.configURL}?i=${i}`, clientId: '1', nonce: '2' }));
      const e = await rejection(w.page.navigator.credentials!.get({ identity: { providers } }));
      assert.ok(e instanceof TypeError, `expected a TypeError, got ${String(e)}`);
    }),
  );
});
