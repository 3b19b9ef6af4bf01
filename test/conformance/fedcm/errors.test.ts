// WPT fedcm/: requests that fail — configs the IdP does not list or that lack login_url,
// endpoints that redirect or answer without CORS or with an HTTP error, and the error API
// (IdentityCredentialError with `error` and `url`, shown in the Error dialog first).

import assert from 'node:assert/strict';
import { IdentityCredentialError, type IdentityCredentialErrorInit } from '../../../src/agent/index.js';
import {
  errorDialogClickButton,
  errorDialogDismiss,
  getAndSelectFirstAccount,
  inWorld,
  rejectionName,
  selectManifest,
  type SupportWorld,
} from '../support/core-support.js';
import { subtest, wptFile } from '../wpt.js';

/** Awaits `p`, which must reject with a DOMException named IdentityCredentialError; returns it. */
async function identityCredentialError(p: Promise<unknown>): Promise<IdentityCredentialError> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, 'An IdentityCredentialError exception should be thrown.');
  assert.ok(error instanceof DOMException, `expected a DOMException, got ${String(error)}`);
  assert.equal(error.name, 'IdentityCredentialError');
  return error as IdentityCredentialError;
}

wptFile('fedcm/fedcm-manifest-not-in-list.https.html', () => {
  subtest('Test that the promise is rejected if the manifest is not in the manifest list', () =>
    inWorld(async (w) => {
      const cred = getAndSelectFirstAccount(w, w.options('manifest-not-in-list.json', w.alt));
      assert.equal(await rejectionName(cred), 'NetworkError');
    }),
  );
});

wptFile('fedcm/fedcm-no-login-url.https.html', () => {
  subtest('Test that promise is rejected if the manifest has no login URL', () =>
    inWorld(async (w) => {
      const options = w.options('manifest_no_login_url.json');
      selectManifest(w.idp, w.configURL('manifest_no_login_url.json'));
      const cred = getAndSelectFirstAccount(w, options);
      assert.equal(await rejectionName(cred), 'NetworkError');
    }),
  );
});

wptFile('fedcm/fedcm-accounts-endpoint-rejects-redirects.https.html', () => {
  subtest('Test that promise is rejected if accounts endpoint redirects', () =>
    inWorld(async (w) => {
      selectManifest(w.idp, w.configURL('manifest_redirect_accounts.json'));
      const cred = w.page.navigator.credentials!.get(w.options('manifest_redirect_accounts.json'));
      // A mismatch dialog: logged in per the login status, yet no accounts.
      assert.equal(await w.dialogType(), 'ConfirmIdpLogin');
      w.agent.automation.cancelDialog();
      assert.equal(await rejectionName(cred), 'NetworkError');
    }),
  );
});

wptFile('fedcm/fedcm-token-endpoint-rejects-redirects.https.html', () => {
  subtest('Test that token endpoint does not follow redirects', () =>
    inWorld(async (w) => {
      selectManifest(w.idp, w.configURL('manifest_redirect_token.json'));
      const cred = getAndSelectFirstAccount(w, w.options('manifest_redirect_token.json'));
      errorDialogDismiss(w, cred);
      const e = await identityCredentialError(cred);
      // A 308 does not produce an error code.
      assert.equal(e.error, '');
    }),
  );
});

wptFile('fedcm/fedcm-identity-assertion-nocors.https.html', () => {
  subtest('Test that promise is rejected if identity assertion does not use CORS', () =>
    inWorld(async (w) => {
      selectManifest(w.alt, w.configURL('manifest-token-nocors.json', w.alt));
      const cred = w.page.navigator.credentials!.get(w.options('manifest-token-nocors.json', w.alt));
      await w.selectFirstAccount();
      errorDialogDismiss(w, cred);
      await identityCredentialError(cred);
    }),
  );
});

wptFile('fedcm/fedcm-token-returned-with-http-error.https.html', () => {
  subtest('Test that the promise will be rejected if the response has http error', () =>
    inWorld(async (w) => {
      selectManifest(w.idp, w.configURL('manifest_token_with_http_error.json'));
      const cred = getAndSelectFirstAccount(w, w.options('manifest_token_with_http_error.json'));
      errorDialogClickButton(w, cred, 'ErrorGotIt');
      const e = await identityCredentialError(cred);
      assert.equal(e.error, '');
      assert.equal(e.url, '');
    }),
  );
});

const ERROR_FORMAT = 'manifest_id_assertion_endpoint_returns_error_format.json';

/** The error-format flow: select the account, answer the Error dialog with `answer`. */
async function errorFormatFlow(w: SupportWorld, answer: (p: Promise<unknown>) => void): Promise<IdentityCredentialError> {
  selectManifest(w.idp, w.configURL(ERROR_FORMAT));
  const cred = getAndSelectFirstAccount(w, w.options(ERROR_FORMAT));
  answer(cred);
  return identityCredentialError(cred);
}

wptFile('fedcm/fedcm-error-basic.https.html', () => {
  // error_with_error_and_url_format.py answers {error: {error: "unauthorized_client", url: "error.html"}}.
  const expectedUrl = (w: SupportWorld): string => new URL('error.html', w.configURL('error_with_error_and_url_format.py')).href;
  const answers: [string, (w: SupportWorld) => (p: Promise<unknown>) => void][] = [
    ['Test that the promise is rejected with proper error details when dialog is dismissed', (w) => (p) => errorDialogDismiss(w, p)],
    ['Test that the promise is rejected with proper error details when got it is clicked', (w) => (p) => errorDialogClickButton(w, p, 'ErrorGotIt')],
    ['Test that the promise is rejected with proper error details when more details is clicked', (w) => (p) => errorDialogClickButton(w, p, 'ErrorMoreDetails')],
  ];
  for (const [name, answer] of answers) {
    subtest(name, () =>
      inWorld(async (w) => {
        const e = await errorFormatFlow(w, answer(w));
        assert.equal(e.error, 'unauthorized_client');
        assert.equal(e.url, expectedUrl(w));
      }),
    );
  }
});

wptFile('fedcm/fedcm-error-attribute/fedcm-error-attribute.https.html', () => {
  subtest('IdentityCredentialError.error attribute works', () => {
    const error = new IdentityCredentialError('Test error', { error: 'invalid_request', url: 'https://example.com/error' });
    assert.equal(error.error, 'invalid_request', 'error attribute should work');
    assert.equal(error.url, 'https://example.com/error', 'url should work');
  });

  subtest('Constructor ignores code field', () => {
    const init = { code: 'unauthorized_client', url: 'https://example.com/error' } as IdentityCredentialErrorInit;
    const error = new IdentityCredentialError('Test error', init);
    assert.equal(error.error, '', 'error should be empty when only code is provided');
    assert.equal(error.url, 'https://example.com/error', 'url should work');
  });

  subtest('error attribute works in dialog dismiss workflow', () =>
    inWorld(async (w) => {
      const e = await errorFormatFlow(w, (p) => errorDialogDismiss(w, p));
      assert.equal(e.error, 'unauthorized_client', 'error attribute works in FedCM flow');
    }),
  );

  subtest('error attribute works in button click flow', () =>
    inWorld(async (w) => {
      const e = await errorFormatFlow(w, (p) => errorDialogClickButton(w, p, 'ErrorGotIt'));
      assert.equal(e.error, 'unauthorized_client', 'error attribute works when button clicked');
    }),
  );
});
