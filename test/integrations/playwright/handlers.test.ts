// fedkit/playwright with in-process handlers: the browser loads the pages (the RP, the IdP's
// sign-in link) from fedkit/testing's listener, while the agent's own FedCM requests go to the
// same IdP's handler in-process (createAgent's `handlers`, passed through installFedCM), with the
// context's cookies: the session the browser got is the one the in-process IdP reads.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import type { InProcessHandler } from 'fedkit/agent';
import { startTestSystem, type TestSystem } from 'fedkit/testing';
import { installFedCM } from '../../../src/integrations/playwright/index.js';
import { CHROMIUM, missing, skip } from './chromium.js';

describe('fedkit/playwright: the agent’s requests through handlers', { skip, timeout: 60_000 }, () => {
  let system: TestSystem;
  let browser: Browser;
  before(async () => {
    system = await startTestSystem();
    if (missing) throw new Error(`${CHROMIUM} is not installed and CI is set`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...system.chromiumArgs], timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    await system?.close();
  });

  it('signs in with the reference RP page: the FedCM requests answered in-process, the pages by the listener', async () => {
    const inProcess: string[] = [];
    const idp = system.idp.idp;
    const handler: InProcessHandler = (request, info) => {
      inProcess.push(`${request.method} ${new URL(request.url).pathname}`);
      return idp(request, info);
    };
    const context = await browser.newContext();
    const fedcm = await installFedCM(context, { hostRules: system.hostRules, ca: system.ca, handlers: { [system.idp.origin]: handler } });
    try {
      const page = await context.newPage();
      await page.goto(system.idp.signInUrl());
      assert.deepEqual(inProcess, [], 'the browser’s own navigation went to the listener');
      await page.goto(system.rp.url('/')); // the reference RP asks for a passive sign-in on load
      await fedcm.waitForDialog({ type: 'AccountChooser', timeoutMs: 10_000 });
      await fedcm.selectAccount(0);
      await page.waitForFunction(() => document.body.innerText.includes('You are signed in'), null, { timeout: 10_000 });
      assert.deepEqual(inProcess, ['GET /.well-known/web-identity', 'GET /fedcm/config.json', 'GET /fedcm/accounts', 'GET /fedcm/client_metadata', 'POST /fedcm/assertion']);
    } finally {
      await fedcm.close();
      await context.close();
    }
  });
});
