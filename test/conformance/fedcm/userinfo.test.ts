// WPT fedcm/: IdentityProvider.getUserInfo() from an IdP iframe after a sign-in, from the wrong
// frames, and left pending when the page goes away.

import assert from 'node:assert/strict';
import type { IdentityCredential } from '../../../src/agent/index.js';
import { getAndSelectFirstAccount, idpIframe, inWorld, rejectionName, userInfoIframe, type SupportWorld } from '../support/core-support.js';
import { subtest, wptFile } from '../wpt.js';

const USERINFO_IFRAME = '/fedcm/support/fedcm/userinfo-iframe.html';

async function signInAtAlt(w: SupportWorld): Promise<void> {
  const cred = (await getAndSelectFirstAccount(w, w.options(undefined, w.alt))) as IdentityCredential;
  assert.equal(cred.token, 'token');
}

wptFile('fedcm/fedcm-userinfo.https.html', () => {
  subtest('Test basic User InFo API flow', () =>
    inWorld(async (w) => {
      await signInAtAlt(w);
      const message = await userInfoIframe(w, await idpIframe(w, w.alt.url(USERINFO_IFRAME)));
      assert.equal(message['result'], 'Pass');
      assert.equal(message['numAccounts'], 1);
      assert.equal(message['firstAccountEmail'], 'john_doe@idp.example');
      assert.equal(message['firstAccountName'], 'John Doe');
      assert.equal(message['firstAccountGivenName'], 'John');
      assert.equal(message['firstAccountPicture'], 'https://localhost/profile/123');
    }),
  );

  subtest('Test that User Info API only works when invoked from iframe that is same origin as the IDP', () =>
    inWorld(async (w) => {
      await signInAtAlt(w);
      // The same page, on the test page's (the RP's) origin.
      const message = await userInfoIframe(w, await idpIframe(w, `https://rp.example${USERINFO_IFRAME}`));
      assert.equal(message['result'], 'Fail');
    }),
  );

  subtest('Test that User Info API does not work in the top frame', () =>
    inWorld(async (w) => {
      await signInAtAlt(w);
      const p = w.page.IdentityProvider!.getUserInfo({ configURL: w.alt.url('/fedcm/support/fedcm/manifest.py'), clientId: '123' });
      assert.equal(await rejectionName(p), 'InvalidStateError');
    }),
  );
});

wptFile('fedcm/fedcm-pending-userinfo.https.html', () => {
  subtest('Test basic User InFo API flow', () =>
    inWorld(async (w) => {
      await signInAtAlt(w);
      // support/fedcm/pending-userinfo-iframe.html: getUserInfo() not awaited, then "Pass".
      const frame = await idpIframe(w, w.alt.url('/fedcm/support/fedcm/pending-userinfo-iframe.html'));
      let message: string;
      let pending: Promise<unknown> | undefined;
      try {
        pending = frame.IdentityProvider!.getUserInfo({ configURL: w.alt.configURL, clientId: '123' });
        pending.catch(() => {});
        message = 'Pass';
      } catch {
        message = 'Fail';
      }
      assert.equal(message, 'Pass');
      // The test ends and its page goes away with the call in flight: the agent must cope.
      w.page.close();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        pending?.then(() => undefined, () => undefined),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('getUserInfo() did not settle after the page closed')), 10_000))),
      ]).finally(() => clearTimeout(timer));
    }),
  );
});
