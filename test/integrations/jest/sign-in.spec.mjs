// A Jest test of a sign-in component (../components/sign-in-button.mjs) in Jest's jsdom
// environment, against fedkit/testing's IdP: the click gives activation, the test answers the
// account chooser as the user, the component shows the name from the token. Test code runs
// inside jsdom's realm here, so the component's instanceof checks are that realm's.

import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { getFedCM } from 'fedkit/jsdom';
import { mountSignIn } from '../components/sign-in-button.mjs';

const { configURL, clientId } = JSON.parse(process.env.FEDKIT_TEST_SYSTEM);

/** Resolves once `element`'s text is `text`; rejects with what it was after `timeoutMs`. */
function textBecomes(element, text, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (element.textContent !== text) return false;
      observer.disconnect();
      clearTimeout(timer);
      resolve();
      return true;
    };
    const observer = new MutationObserver(check);
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`expected ${JSON.stringify(text)} within ${timeoutMs} ms, got ${JSON.stringify(element.textContent)}`));
    }, timeoutMs);
    observer.observe(element, { childList: true, characterData: true, subtree: true });
    check();
  });
}

let root;
beforeEach(async () => {
  // Signed out at the RP: each test starts at the account chooser, not an automatic re-sign-in.
  await navigator.credentials.preventSilentAccess();
  root = document.body.appendChild(document.createElement('div'));
});
afterEach(() => root.remove());

test('signs Jane in and shows her name', async () => {
  const { button, status } = mountSignIn(root, { configURL, clientId });
  button.click();
  const chooser = await getFedCM(window).chooseAccount(0, { timeoutMs: 5000 });
  expect(chooser.accounts.map((a) => a.name)).toEqual(['Jane Doe']);
  await textBecomes(status, 'Signed in as Jane Doe');
});

test('shows that sign-in did not complete when the user closes the chooser (NetworkError)', async () => {
  const { button, status } = mountSignIn(root, { configURL, clientId });
  button.click();
  const dialog = await getFedCM(window).cancelDialog({ timeoutMs: 5000 });
  expect(dialog.dialogType).toBe('AccountChooser');
  await textBecomes(status, 'Sign-in did not complete.');
});

test("shows the IdP's error for a client it does not know (IdentityCredentialError)", async () => {
  const { button, status } = mountSignIn(root, { configURL, clientId: 'unknown-client' });
  const fedcm = getFedCM(window);
  button.click();
  await fedcm.chooseAccount(0, { timeoutMs: 5000 });
  expect((await fedcm.cancelDialog({ timeoutMs: 5000 })).dialogType).toBe('Error');
  await textBecomes(status, 'Your identity provider refused: unauthorized_client');
});
