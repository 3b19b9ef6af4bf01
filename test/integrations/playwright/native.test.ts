// One sign-in, two FedCMs, in Chromium with its own FedCM on: fedkit/playwright replacing it
// (fedkit's agent makes the requests, the page never reaches Chromium's), and native mode
// (`installFedCM(context, { native: true })`), where the same test drives Chromium's FedCM over
// the DevTools FedCm domain behind the same `fedcm` object and Dialog shapes.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { installFedCM, type FedCM, type InstallFedCMOptions } from '../../../src/integrations/playwright/index.js';
import { launch, skip } from './chromium.js';
import { idpSession, signInOnReferenceRp } from './scenarios.js';
import { RP, startWorld, type World } from './world.js';

describe('fedkit/playwright in Chromium with its own FedCM', { skip, timeout: 90_000 }, () => {
  let dir: string;
  let world: World;
  let browser: Browser;
  const opened: { context: BrowserContext; fedcm: FedCM }[] = [];

  async function signIn(options: InstallFedCMOptions, loginState: 'SignUp' | 'SignIn'): Promise<FedCM> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const fedcm = await installFedCM(context, options);
    opened.push({ context, fedcm });
    const page = await idpSession(context, world);
    const dialog = await signInOnReferenceRp(page, fedcm, () => fedcm.selectAccount(0), loginState);
    assert.equal(dialog.dialogType, 'AccountChooser');
    assert.equal(fedcm.currentDialog, null, 'the chooser is gone once answered');
    return fedcm;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-playwright-native-'));
    world = await startWorld(dir);
    browser = await launch(world.hostRules, { fedcm: true });
  });

  after(async () => {
    for (const { context, fedcm } of opened) {
      await fedcm.close().catch(() => {});
      await context.close().catch(() => {});
    }
    await browser?.close().catch(() => {});
    await world?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('native mode: the reference RP signs up against Chromium’s own FedCM (DevTools FedCm domain)', { timeout: 40_000 }, async () => {
    const before = world.idpRequests.length;
    const fedcm = await signIn({ native: true }, 'SignUp');
    assert.equal(fedcm.mode, 'native');
    assert.equal(fedcm.agent, undefined);
    const accounts = world.idpRequests.slice(before).filter((r) => r.path === '/fedcm/accounts');
    assert.ok(accounts.length > 0 && accounts.every((r) => /Chrome\//.test(r.userAgent)), `accounts fetched by ${accounts.map((r) => r.userAgent).join(', ')}`);
  });
  it('native mode: the Audits issue Chromium raises arrives as Diagnostic.issue (a dismissed chooser: UiDismissedNoEmbargo)', { timeout: 40_000 }, async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const fedcm = await installFedCM(context, { native: true });
    opened.push({ context, fedcm });
    const issues: unknown[] = [];
    fedcm.on('diagnostic', (d) => issues.push(d.issue));
    const page = await idpSession(context, world);
    const shown = fedcm.waitForDialog({ type: 'AccountChooser', timeoutMs: 15_000 });
    await page.goto(`${RP}/`);
    await shown;
    await fedcm.cancelDialog();
    const deadline = Date.now() + 10_000;
    while (!issues.includes('UiDismissedNoEmbargo') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(issues, ['UiDismissedNoEmbargo']);
  });

  it('fedkit replaces Chromium’s FedCM: the same test signs in again, and the agent made the requests', { timeout: 40_000 }, async () => {
    const before = world.idpRequests.length;
    const fedcm = await signIn({ hostRules: world.hostRules, ca: world.ca }, 'SignIn');
    assert.equal(fedcm.mode, 'fedkit');
    const accounts = world.idpRequests.slice(before).filter((r) => r.path === '/fedcm/accounts');
    assert.ok(accounts.length > 0 && accounts.every((r) => r.userAgent.startsWith('fedkit/')), `accounts fetched by ${accounts.map((r) => r.userAgent).join(', ')}`);
  });

});
