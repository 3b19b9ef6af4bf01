// A Vitest test of a sign-in component (../components/sign-in-button.mjs) in Vitest's jsdom
// environment, against fedkit/testing's IdP: the click gives activation, the test answers the
// account chooser as the user, the component shows the name from the token.

import { beforeEach, expect, inject, test } from 'vitest';
import { getFedCM } from 'fedkit/jsdom';
import { mountSignIn } from '../components/sign-in-button.mjs';

let root: HTMLElement;
beforeEach(async () => {
  // Signed out at the RP: each test starts at the account chooser, not an automatic re-sign-in.
  await navigator.credentials.preventSilentAccess();
  root = document.body.appendChild(document.createElement('div'));
  return () => root.remove();
});

test('signs Jane in and shows her name', async () => {
  const { configURL, clientId } = inject('fedkit');
  const { button, status } = mountSignIn(root, { configURL, clientId });
  button.click();
  const chooser = await getFedCM(window).chooseAccount(0, { timeoutMs: 5000 });
  expect(chooser.accounts.map((a) => a.name)).toEqual(['Jane Doe']);
  await expect.poll(() => status.textContent, { timeout: 5000 }).toBe('Signed in as Jane Doe');
});

test('shows that sign-in did not complete when the user closes the chooser (NetworkError)', async () => {
  const { configURL, clientId } = inject('fedkit');
  const { button, status } = mountSignIn(root, { configURL, clientId });
  button.click();
  const dialog = await getFedCM(window).cancelDialog({ timeoutMs: 5000 });
  expect(dialog.dialogType).toBe('AccountChooser');
  await expect.poll(() => status.textContent, { timeout: 5000 }).toBe('Sign-in did not complete.');
});

test("shows the IdP's error for a client it does not know (IdentityCredentialError)", async () => {
  const { configURL } = inject('fedkit');
  const { button, status } = mountSignIn(root, { configURL, clientId: 'unknown-client' });
  const fedcm = getFedCM(window);
  button.click();
  await fedcm.chooseAccount(0, { timeoutMs: 5000 });
  expect((await fedcm.cancelDialog({ timeoutMs: 5000 })).dialogType).toBe('Error');
  await expect.poll(() => status.textContent, { timeout: 5000 }).toBe('Your identity provider refused: unauthorized_client');
});
