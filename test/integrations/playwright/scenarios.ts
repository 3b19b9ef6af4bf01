// The sign-ins the fedkit/playwright tests run, written once against the `fedcm` object, so the
// same test runs with fedkit's agent as the browser's FedCM and with real Chrome's own FedCM
// (native mode).

import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import type { Dialog } from '../../../src/agent/index.js';
import type { FedCM } from '../../../src/integrations/playwright/index.js';
import { within } from './chromium.js';
import { RP, USER, type World } from './world.js';

/** The user signs in at the IdP with its real login form, in a page of the context. */
export async function signInAtIdp(page: Page, world: World): Promise<void> {
  await page.goto(world.idp.urls.login);
  await page.fill('#email', USER.email);
  await page.fill('#password', USER.password);
  await Promise.all([page.waitForURL(world.idp.urls.login, { waitUntil: 'load' }), page.click('#signin')]);
  assert.match((await page.textContent('h1')) ?? '', /Signed in/, 'the IdP accepted the password');
}

/**
 * A real RP page whose own script signs in: the reference RP asks for a passive sign-in on load;
 * `answer` picks the account (automation, or a real click on the drawn chooser); the RP's
 * server verifies the token and the page shows the user.
 */
export async function signInOnReferenceRp(page: Page, fedcm: FedCM, answer: (dialog: Dialog) => Promise<void>, loginState: 'SignUp' | 'SignIn' = 'SignUp'): Promise<Dialog> {
  const shown = fedcm.waitForDialog({ type: 'AccountChooser', timeoutMs: 15_000 });
  await page.goto(`${RP}/`);
  const dialog = await shown;
  assert.deepEqual(
    dialog.accounts.map((a) => ({ email: a.email, name: a.name, state: a.loginState })),
    [{ email: USER.email, name: USER.name, state: loginState }],
  );
  assert.match(dialog.title, /rp\.example/);
  await answer(dialog);
  // The RP's script posts the token to its server and reloads, signed in.
  await page.waitForSelector('.profile .name', { timeout: 15_000 });
  assert.match((await page.textContent('.profile .name')) ?? '', new RegExp(USER.name));
  assert.match((await page.textContent('.profile .email')) ?? '', new RegExp(USER.email));
  return dialog;
}

/** A new page in `context` that is signed in at the IdP. */
export async function idpSession(context: BrowserContext, world: World): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await within(signInAtIdp(page, world), 20_000, 'signing in at the IdP');
  return page;
}
