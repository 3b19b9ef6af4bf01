import { chromium } from 'playwright-core';
import { installFedCM } from 'fedkit/playwright';
import { startTestSystem } from 'fedkit/testing';

// fedkit's IdP and its reference RP on loopback, as https://idp.example and https://rp.example.
const system = await startTestSystem();

// Any browser Playwright drives. Here Debian's Chromium with its own FedCM switched off, as
// Firefox and WebKit have none; system.chromiumArgs map the host names and trust the test CA.
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...system.chromiumArgs, '--disable-features=FedCm'] });
const context = await browser.newContext();
const fedcm = await installFedCM(context, { hostRules: system.hostRules, ca: system.ca });

const page = await context.newPage();
await page.goto(system.idp.signInUrl()); // Jane signs in at the IdP, in the browser
await page.goto(system.rp.url()); //        the RP page's own script asks for a passive sign-in

const dialog = await fedcm.waitForDialog({ type: 'AccountChooser' }); // drawn in the page, too
console.log(`${dialog.title}: ${dialog.accounts.map((a) => `${a.name} <${a.email}>`).join(', ')}`);
await fedcm.selectAccount(0);

// The page posts the token to its server, which verifies it and signs Jane up.
const email = page.locator('.profile .email');
await email.waitFor();
console.log(`The page shows: ${await email.innerText()} (${await page.locator('.profile .badge').innerText()})`);

await fedcm.close();
await browser.close();
await system.close();
