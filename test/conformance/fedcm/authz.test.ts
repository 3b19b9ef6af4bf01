// WPT fedcm/fedcm-authz/: continue_on and IdentityProvider.resolve() (the IdP's continuation page
// runs as real HTML + script in a jsdom popup), `params`, and the disclosure fields.

import assert from 'node:assert/strict';
import { jsdomPopups, type IdentityCredential, type IdentityProviderRequestOptions } from '../../../src/agent/index.js';
import type { RequestOptions } from '../support/core-support.js';
import { checkRequest } from '../../fixtures/index.js';
import { rejection } from '../../helpers/world.js';
import { getAndSelectFirstAccount, html, tokenCheckDisclosureShown, tokenCheckParams, useContinueOnManifest } from '../support/extra-fedcm.js';
import { fedcmTest, type WptWorld } from '../support/world.js';
import { subtest, wptFile } from '../wpt.js';

/** A fresh fedcm_test world whose popups run the IdP's pages. */
async function inWorld(fn: (w: WptWorld) => Promise<void>): Promise<void> {
  const w = await fedcmTest({ agent: { popupHost: jsdomPopups() } });
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** request_options_with_mediation_required(): clientId '1', nonce '2', mediation 'required'. */
function required(w: WptWorld, provider: Partial<IdentityProviderRequestOptions> = {}, which = w.idp): RequestOptions {
  return { identity: { providers: [{ configURL: which.configURL, clientId: '1', nonce: '2', ...provider }] }, mediation: 'required' };
}

wptFile('fedcm/fedcm-authz/fedcm-continue-on.https.html', () => {
  subtest('continue_on and IdentityProvider.resolve work correctly.', () =>
    inWorld(async (w) => {
      useContinueOnManifest(w);
      const cred = await getAndSelectFirstAccount(w, required(w));
      assert.equal(cred.token, 'account=1234');
    }),
  );
});

wptFile('fedcm/fedcm-authz/fedcm-continue-on-with-account.https.html', () => {
  subtest('continue_on and IdentityProvider.resolve work correctly.', () =>
    inWorld(async (w) => {
      useContinueOnManifest(w);
      const options = required(w, { nonce: 'accountId=jane_doe' });
      const cred = await getAndSelectFirstAccount(w, options);
      // The token names the account chosen in the dialog, not the one given to resolve().
      assert.equal(cred.token, 'account=1234');
      // jane_doe is now the returning account: optional mediation re-authenticates with it
      // (after a click, so that the continue_on popup may open).
      options.mediation = 'optional';
      w.page.activate();
      const cred2 = (await w.page.navigator.credentials!.get(options)) as IdentityCredential;
      assert.equal(cred2.token, 'account=jane_doe');
    }),
  );
});

wptFile('fedcm/fedcm-authz/fedcm-continue-on-disallowed.https.html', () => {
  subtest('continue_on with mediation:silent should fail', () =>
    inWorld(async (w) => {
      // A regular sign-in first, so that the user is a returning one.
      await getAndSelectFirstAccount(w, required(w));
      useContinueOnManifest(w);
      const options = required(w);
      options.mediation = 'silent';
      const e = (await rejection(w.page.navigator.credentials!.get(options))) as DOMException;
      assert.equal(e.name, 'NetworkError');
    }),
  );
});

wptFile('fedcm/fedcm-authz/resolve-after-preventsilentaccess.https.html', () => {
  subtest('Test that resolve clears the preventSilentAccess state.', () =>
    inWorld(async (w) => {
      // request_options_with_mediation_optional("manifest_with_continue_on.json"): the alternate
      // IdP, clientId '123', mediation 'optional'.
      useContinueOnManifest(w, w.alt);
      const options = required(w, { clientId: '123' }, w.alt);
      options.mediation = 'optional';
      const provider = options.identity.providers[0]!;

      // Sign in as 1234 (nonce "token": a plain token) so that they are a returning user.
      provider['nonce'] = 'token';
      let cred = await getAndSelectFirstAccount(w, options);
      assert.equal(cred.token, 'account=1234');

      await w.page.navigator.credentials!.preventSilentAccess();

      options.mediation = 'silent';
      assert.equal(((await rejection(w.page.navigator.credentials!.get(options))) as DOMException).name, 'NetworkError');

      // A user-mediated sign-in through continue_on / IdentityProvider.resolve.
      options.mediation = 'optional';
      provider['nonce'] = '2';
      cred = await getAndSelectFirstAccount(w, options);
      assert.equal(cred.token, 'account=1234');
      assert.equal(cred.isAutoSelected, false);

      // Silent mediation works again.
      options.mediation = 'silent';
      provider['nonce'] = 'token';
      cred = (await w.page.navigator.credentials!.get(options)) as IdentityCredential;
      assert.equal(cred.token, 'account=1234');
      assert.equal(cred.isAutoSelected, true);
    }),
  );
});

wptFile('fedcm/fedcm-authz/fedcm-resolve-side-effects.https.html', () => {
  subtest('If a getter in the token in IdentityProvider.resolve removes the frame, the user agent should not crash', () =>
    inWorld(async (w) => {
      const frame = await w.page.openFrame('https://rp.example/iframe');
      const token = {};
      Object.defineProperty(token, 'prop', {
        get() {
          frame.close();
          return 'value';
        },
        enumerable: true,
      });
      try {
        await frame.IdentityProvider!.resolve(token, { accountId: '123' });
      } catch {
        // Rejections are fine; the agent must survive.
      }
      // The agent still serves the page.
      assert.equal(w.page.fullyActive, true);
      const cred = await getAndSelectFirstAccount(w, required(w));
      assert.equal(cred.token, 'token');
    }),
  );
});

wptFile('fedcm/fedcm-authz/fedcm-params.https.html', () => {
  subtest('If a getter in a custom parameter object throws an exception, it should get passed through', () =>
    inWorld(async (w) => {
      const param = {
        get foo(): string {
          throw 'error';
        },
      };
      const options = required(w, { params: param });
      let caught: unknown = 'nothing thrown';
      try {
        await w.page.navigator.credentials!.get(options);
        assert.fail('The getter exception should have been passed through');
      } catch (ex) {
        caught = ex;
      }
      assert.equal(caught, 'error');
    }),
  );

  subtest('Parameters should be sent to the server correctly', () =>
    inWorld(async (w) => {
      w.idp.setToken(tokenCheckParams);
      const cred = await getAndSelectFirstAccount(w, required(w, { params: { 'a string': 'a value' } }));
      assert.equal(cred.token, 'token');
    }),
  );
});

wptFile('fedcm/fedcm-authz/fedcm-disclosure-text-shown.https.html', () => {
  // clientId "0" is not in John's approved_clients: he signs up, so the disclosure applies.
  const cases: [string, boolean, Record<string, unknown>][] = [
    ['We should send disclosure_text_shown=false when custom fields are passed.', false, { fields: ['non_default_field'], nonce: 'non_default_field' }],
    ['We should send disclosure_text_shown=false when an empty custom fields array is passed.', false, { fields: [], nonce: '' }],
    ['We should send disclosure_text_shown=true when no custom fields are passed.', true, { nonce: 'name,email,picture' }],
    [
      'We should send disclosure_text_shown=true when custom fields are passed in addition to standard fields.',
      true,
      { fields: ['name', 'email', 'picture', 'locale'], nonce: 'name,email,picture,locale' },
    ],
  ];
  for (const [name, shown, provider] of cases) {
    subtest(name, () =>
      inWorld(async (w) => {
        w.idp.setToken(tokenCheckDisclosureShown(shown));
        const cred = await getAndSelectFirstAccount(w, required(w, { clientId: '0', ...provider }));
        assert.equal(cred.token, 'token');
        assert.equal(cred.isAutoSelected, false);
      }),
    );
  }
});

/** What userinfo-iframe.html posts to its parent. */
interface UserInfoMessage {
  result: 'Pass' | 'Fail';
  numAccounts?: number;
  firstAccountEmail?: string | undefined;
  firstAccountName?: string | undefined;
  firstAccountGivenName?: string | undefined;
  firstAccountPicture?: string | undefined;
  errorType?: string;
  detail?: string;
}

wptFile('fedcm/fedcm-authz/fedcm-userinfo-after-resolve.https.html', () => {
  subtest('Test getUserInfo() after resolve() to verify that resolve stores the RP/IDP connection', () =>
    inWorld(async (w) => {
      useContinueOnManifest(w, w.alt);
      const cred = await getAndSelectFirstAccount(w, required(w, {}, w.alt));
      assert.equal(cred.token, 'account=1234');

      // The alternate IdP's manifest_with_picture_account.json: picture_account.py, whose John
      // is approved for client 123 and has the picture https://localhost/profile/123.
      const pictureConfig = w.alt.url('/fedcm/manifest_with_picture_account.json');
      w.server.route(w.alt.origin, 'GET', '/fedcm/manifest_with_picture_account.json', (req) => {
        const failure = checkRequest('config', req);
        if (failure) return { status: failure.status, body: failure.message };
        return {
          json: {
            accounts_endpoint: 'picture_account',
            client_metadata_endpoint: 'client_metadata',
            id_assertion_endpoint: 'token',
            disconnect_endpoint: 'disconnect',
            login_url: '/login',
          },
        };
      });
      w.server.route(w.alt.origin, 'GET', '/fedcm/picture_account', (req) => {
        const failure = checkRequest('accounts', req);
        if (failure) return { status: failure.status, body: failure.message };
        return {
          json: {
            accounts: [
              {
                id: '1234',
                given_name: 'John',
                name: 'John Doe',
                email: 'john_doe@idp.example',
                picture: 'https://localhost/profile/123',
                approved_clients: ['123', '456', '789'],
                login_hints: ['john_doe'],
                domain_hints: ['idp.example', 'example'],
              },
            ],
          },
        };
      });
      w.server.route(w.alt.origin, 'GET', '/fedcm/userinfo-iframe.html', () => html('<p>userinfo iframe</p>'));

      // fedcm/support/fedcm/userinfo-iframe.html in an iframe allowed identity-credentials-get.
      const iframe = await w.page.openFrame(w.alt.url('/fedcm/userinfo-iframe.html'), { allow: 'identity-credentials-get' });
      const message: UserInfoMessage = await iframe.IdentityProvider!.getUserInfo({ configURL: pictureConfig, clientId: '123' }).then(
        (info): UserInfoMessage => ({
          result: 'Pass',
          numAccounts: info.length,
          firstAccountEmail: info[0]?.email,
          firstAccountName: info[0]?.name,
          firstAccountGivenName: info[0]?.givenName,
          firstAccountPicture: info[0]?.picture,
        }),
        (e: unknown): UserInfoMessage => ({ result: 'Fail', errorType: (e as Error).name, detail: (e as Error).message }),
      );
      assert.equal(message.result, 'Pass', JSON.stringify(message));
      assert.equal(message.numAccounts, 1);
      assert.equal(message.firstAccountEmail, 'john_doe@idp.example');
      assert.equal(message.firstAccountName, 'John Doe');
      assert.equal(message.firstAccountGivenName, 'John');
      assert.equal(message.firstAccountPicture, 'https://localhost/profile/123');
    }),
  );
});
