// The reference RP and IdP (as `fedkit demo` runs them) in real headless Chromium: the user signs
// in at the IdP, opens the RP, clicks "Sign in with Demo IdP", the account is chosen through the
// DevTools FedCm domain, and the RP shows the signed-in user. A screenshot is taken of that page.
//
// /usr/bin/chromium comes from scripts/install-test-tools.sh (npm test's pretest). Without it the
// suite is skipped loudly on a developer machine, and FAILS under CI=true.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { DEMO_USER, RP_ORIGIN, startSystem, type System } from '../../src/cli/system.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
const underCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
if (missing && !underCi) console.error(`\n!! reference RP interop test SKIPPED: ${CHROMIUM} is not installed (scripts/install-test-tools.sh). Under CI=true this fails.\n`);

interface DialogShown {
  dialogId: string;
  dialogType: string;
  accounts: { accountId: string; email: string; name: string }[];
}

describe('reference RP in Chromium', { skip: missing && !underCi ? `${CHROMIUM} is not installed` : false }, () => {
  let dir: string;
  let system: System;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  const dialogs: DialogShown[] = [];
  const waiters: ((d: DialogShown) => void)[] = [];
  const nextDialog = (ms = 15_000): Promise<DialogShown> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no FedCm.dialogShown within ${ms} ms`)), ms);
      waiters.push((d) => {
        clearTimeout(timer);
        resolve(d);
      });
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-chromium-rp-'));
    system = await startSystem({ dir: join(dir, 'state') });
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: false, // --headless=new below: the full browser, whose FedCM UI the FedCm domain drives
      timeout: 30_000,
      viewport: { width: 1000, height: 700 },
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--host-resolver-rules=MAP *.example:443 127.0.0.1:${system.port}`,
        '--ignore-certificate-errors',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    cdp = await context.newCDPSession(page);
    cdp.on('FedCm.dialogShown', (d: DialogShown) => {
      dialogs.push(d);
      waiters.shift()?.(d);
    });
    await cdp.send('FedCm.enable', { disableRejectionDelay: true });
  });

  after(async () => {
    await context?.close().catch(() => {});
    await system?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with a click and the FedCm domain; the RP shows the user', { timeout: 45_000 }, async () => {
    // The user signs in at the IdP first, with its login form.
    await page.goto(system.idp.urls.login);
    await page.fill('input[name="email"]', DEMO_USER.email);
    await page.fill('input[name="password"]', DEMO_USER.password);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type="submit"], input[type="submit"]')]);

    // The RP page starts a passive request on load; the click replaces it with an active one.
    const passive = nextDialog();
    await page.goto(`${RP_ORIGIN}/`);
    assert.equal((await passive).dialogType, 'AccountChooser');
    const active = nextDialog();
    await page.click('#signin');
    const dialog = await active;
    assert.equal(dialog.dialogType, 'AccountChooser');
    assert.deepEqual(dialog.accounts.map((a) => a.email), [DEMO_USER.email]);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), cdp.send('FedCm.selectAccount', { dialogId: dialog.dialogId, accountIndex: 0 })]);

    const name = await page.textContent('.profile .name');
    assert.match(name ?? '', new RegExp(DEMO_USER.name));
    assert.match((await page.textContent('.profile .email')) ?? '', new RegExp(DEMO_USER.email));
    const shot = join(dir, 'signed-in.png');
    await page.screenshot({ path: shot });
    const png = readFileSync(shot);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(png.length > 10_000, `a real page rendering, not a blank image (${png.length} bytes)`);
    // The RP's session is real: /me answers for the signed-in user.
    const me = await page.evaluate(async () => (await fetch('/me')).json());
    assert.equal((me as { email: string }).email, DEMO_USER.email);
  });

  it('signs out (preventSilentAccess, then the session ends) and disconnects the IdP', { timeout: 45_000 }, async () => {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#signout button')]);
    assert.equal(await page.isVisible('#signin'), true, 'signed out: the sign-in button is back');
    // Signed out with preventSilentAccess(): the passive request on load shows the chooser again.
    const again = nextDialog();
    await page.reload();
    const dialog = await again;
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), cdp.send('FedCm.selectAccount', { dialogId: dialog.dialogId, accountIndex: 0 })]);
    assert.match((await page.textContent('.profile .name')) ?? '', new RegExp(DEMO_USER.name));
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#disconnect')]);
    assert.equal(await page.isVisible('#signin'), true);
    const users = system.rp.store.user(1);
    assert.equal(users, undefined, 'the RP forgot the user');
  });
});
