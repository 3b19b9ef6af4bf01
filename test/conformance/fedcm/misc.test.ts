// WPT fedcm/: the rest of the core flow — an optional nonce, store(), the dialog title's context,
// accounts with a single identifier, the page's COEP and CSP, SameSite cookies, the client
// metadata cache, and service workers.

import assert from 'node:assert/strict';
import type { Frame, IdentityCredential, IdentityCredentialRequestOptionsContext } from '../../../src/agent/index.js';
import { getAndSelectFirstAccount, inWorld, rejectionName, selectFirstAccountOf, selectManifest, type SupportWorld } from '../support/core-support.js';
import { notApplicable, subtest, wptFile } from '../wpt.js';

/** Serves `path` on the RP with `headers` and opens it: the test page with its own response headers. */
async function rpPage(w: SupportWorld, path: string, headers: Record<string, string>): Promise<Frame> {
  w.server.route('https://rp.example', 'GET', path, () => ({
    headers: { 'content-type': 'text/html; charset=utf-8', ...headers },
    body: '<!doctype html><title>FedCM test page</title><body></body>',
  }));
  const page = await w.agent.open(`https://rp.example${path}`);
  await page.navigator.credentials!.preventSilentAccess();
  return page;
}

wptFile('fedcm/fedcm-nonce-is-optional.https.html', () => {
  subtest('nonce is not required in FederatedIdentityProvider.', () =>
    inWorld(async (w) => {
      const options = w.options();
      const provider = options.identity.providers[0]!;
      assert.ok('nonce' in provider);
      delete provider['nonce'];
      const cred = (await getAndSelectFirstAccount(w, options)) as IdentityCredential;
      assert.equal(cred.token, 'token');
    }),
  );
});

wptFile('fedcm/fedcm-store.https.html', () => {
  subtest('navigator.credentials.store() with an identity credential returns NotSupportedError', () =>
    inWorld(async (w) => {
      const cred = (await getAndSelectFirstAccount(w, w.options())) as IdentityCredential;
      assert.equal(await rejectionName(w.page.navigator.credentials!.store(cred)), 'NotSupportedError');
    }),
  );
});

wptFile('fedcm/fedcm-context.https.html', () => {
  const cases: [string, IdentityCredentialRequestOptionsContext | undefined, string][] = [
    ["FedCM call defaults to 'signin' context.", undefined, 'sign in'],
    ["FedCM with 'signup' context.", 'signup', 'sign up'],
    ["FedCM with 'use' context.", 'use', 'use'],
    ["FedCM with 'continue' context.", 'continue', 'continue'],
  ];
  for (const [name, context, words] of cases) {
    subtest(name, () =>
      inWorld(async (w) => {
        const options = w.options();
        if (context !== undefined) options.identity.context = context;
        const p = w.page.navigator.credentials!.get(options);
        await w.agent.automation.waitForDialog();
        const { title } = w.agent.automation.getTitle();
        assert.ok(title.toLowerCase().includes(words), `title ${JSON.stringify(title)} should contain "${words}"`);
        selectFirstAccountOf(w, p);
        await p;
      }),
    );
  }
});

wptFile('fedcm/alternative-identifiers/fedcm-single-identifier.https.html', () => {
  subtest('Accounts that only have a phone number or only a username should not cause failure.', () =>
    inWorld(async (w) => {
      selectManifest(w.idp, w.configURL('manifest_with_single_identifier.json'));
      const p = w.page.navigator.credentials!.get(w.options('manifest_with_single_identifier.json'));
      assert.equal(await w.dialogType(), 'AccountChooser');
      assert.equal(w.agent.automation.getAccountList().length, 2);
      selectFirstAccountOf(w, p);
      const cred = (await p) as IdentityCredential;
      assert.equal(cred.token, 'account_id=john_doe');
      assert.equal(cred.isAutoSelected, false);
    }),
  );
});

wptFile('fedcm/fedcm-cross-origin-policy.https.html', () => {
  // The page is served with Cross-Origin-Embedder-Policy: require-corp; FedCM's fetches are not
  // the page's subresources, so COEP does not block them.
  subtest('Test that COEP policy do not apply to FedCM requests', () =>
    inWorld(async (w) => {
      const page = await rpPage(w, '/fedcm-cross-origin-policy.html', { 'cross-origin-embedder-policy': 'require-corp' });
      const cred = (await getAndSelectFirstAccount(w, w.options(), page)) as IdentityCredential;
      assert.equal(cred.token, 'token');
    }),
  );
});

wptFile('fedcm/fedcm-csp.https.html', () => {
  // The page's headers, as WPT serves them: COEP credentialless, and a CSP whose default-src
  // 'none' (no connect-src) covers the configURL.
  subtest('Provider configURL should honor Content-Security-Policy.', () =>
    inWorld(async (w) => {
      const page = await rpPage(w, '/fedcm-csp.html', {
        'cross-origin-embedder-policy': 'credentialless',
        'content-security-policy': "default-src 'none'; script-src 'self' 'unsafe-inline'; img-src 'self'",
      });
      const cred = page.navigator.credentials!.get(w.options());
      assert.equal(await rejectionName(cred), 'NetworkError');
    }),
  );
});

notApplicable(
  'fedcm/fedcm-not-observed-by-service-worker.https.html',
  "Service workers: fedkit's agent runs no service workers, so there is none to register in scope of the IdP's pages (the test first checks its worker intercepts a page load). The property it protects, that FedCM's fetches go straight to the network, holds by construction: the agent's FedCM fetches have no page client.",
);

wptFile('fedcm/fedcm-same-site-none.https.html', () => {
  subtest('FedCM requests should be considered cross-origin and therefore not send SameSite=Strict or Lax cookies.', () =>
    inWorld(async (w) => {
      // set_alt_fedcm_cookie(): the alt IdP's set_cookie page, visited top-level, sets SameSite=None,
      // Strict and Lax cookies.
      (await w.agent.open(w.alt.url('/fedcm/support/set_cookie'))).close();
      const names = (await w.agent.cookies.list(new URL(w.alt.url('/')))).map((c) => c.name);
      for (const n of ['same_site_strict', 'same_site_lax']) assert.ok(names.includes(n), `the ${n} cookie should be set`);
      const options = w.options('manifest_check_same_site_strict.json', w.alt);
      selectManifest(w.alt, w.configURL('manifest_check_same_site_strict.json', w.alt));
      const cred = (await getAndSelectFirstAccount(w, options)) as IdentityCredential;
      assert.equal(cred.token, 'token');
      assert.equal(cred.isAutoSelected, false);
    }),
  );
});

wptFile('fedcm/fedcm-client-metadata-not-cached.https.html', () => {
  subtest('Test client_metadata request is not cached', () =>
    inWorld(async (w) => {
      // manifest.py's client_metadata.py counts its requests (from 0 in this world).
      selectManifest(w.idp, w.configURL('manifest.py'));
      const cred = (await getAndSelectFirstAccount(w, w.options('manifest.py'))) as IdentityCredential;
      assert.equal(cred.token, 'token');
      // The IdP visited as a first party: a top-level window on client_metadata.py.
      const popup = await w.agent.open(w.idp.url('/fedcm/support/client_metadata.py?skip_checks=1'));
      popup.close();
      // Had the FedCM fetch been cached, the window would not have reached the server.
      assert.equal(w.clientMetadataCount(w.idp), 2);
    }),
  );
});
