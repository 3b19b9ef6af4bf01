// WPT fedcm/: FedCM in iframes — the identity-credentials-get permissions policy at every level,
// invisible and localhost frames, third-party iframes named in the dialog, and an opaque RP.

import assert from 'node:assert/strict';
import type { Frame, IdentityCredential } from '../../../src/agent/index.js';
import { getAndSelectFirstAccount, inWorld, rejectionName, selectManifest, type SupportWorld } from '../support/core-support.js';
import { subtest, wptFile } from '../wpt.js';

/** get_host_info(): the test page's origin, and HTTPS_REMOTE_ORIGIN (same-site, cross-origin). */
const MAIN = 'https://rp.example';
const REMOTE = 'https://www.rp.example';
const IFRAME = '/fedcm/support/fedcm-iframe.html';
const LEVEL2 = '/fedcm/support/fedcm-iframe-level2.html';

function servePages(w: SupportWorld): void {
  for (const origin of [MAIN, REMOTE]) {
    for (const path of [IFRAME, LEVEL2]) {
      w.server.route(origin, 'GET', path, () => ({ headers: { 'content-type': 'text/html' }, body: '<!doctype html><title>iframe</title>' }));
    }
  }
}

/**
 * support/fedcm-iframe.html: get() with request_options_with_mediation_required(), the first
 * account selected, reported as {result: "Pass", token} or {result: "Fail", errorType}.
 */
async function fedcmIframe(w: SupportWorld, frame: Frame): Promise<{ result: string; token?: unknown; errorType?: string }> {
  try {
    const cred = (await getAndSelectFirstAccount(w, w.options(), frame)) as IdentityCredential;
    return { result: 'Pass', token: cred.token };
  } catch (e) {
    return { result: 'Fail', errorType: (e as Error).name };
  }
}

/** createIframeAndWaitForMessage(): an iframe, with allow="identity-credentials-get" when `policy`. */
function iframe(parent: Frame, url: string, policy: boolean, options: { load?: boolean } = {}): Promise<Frame> {
  return parent.openFrame(url, { ...(policy ? { allow: 'identity-credentials-get' } : {}), ...options });
}

/**
 * support/fedcm-iframe-level2.html (on the remote origin): an inner fedcm-iframe.html on the
 * main origin, with the policy unless ?permission=0.
 */
async function level2(w: SupportWorld, url: string, policy: boolean): Promise<ReturnType<typeof fedcmIframe>> {
  const middle = await iframe(w.page, url, policy);
  const inner = await iframe(middle, `${MAIN}${IFRAME}`, new URL(url).searchParams.get('permission') !== '0');
  return fedcmIframe(w, inner);
}

wptFile('fedcm/fedcm-iframe.https.html', () => {
  subtest('FedCM disabled in cross origin iframe without permissions policy', () =>
    inWorld(async (w) => {
      servePages(w);
      const message = await fedcmIframe(w, await iframe(w.page, `${REMOTE}${IFRAME}`, false));
      assert.equal(message.result, 'Fail');
      assert.equal(message.errorType, 'NotAllowedError');
    }),
  );

  subtest('FedCM enabled in 2 level deep nested iframe. FedCM should be enabled regardless of iframe nesting depth', () =>
    inWorld(async (w) => {
      servePages(w);
      const message = await level2(w, `${REMOTE}${LEVEL2}`, true);
      assert.equal(message.result, 'Pass');
      assert.equal(message.token, 'token');
    }),
  );

  subtest('FedCM enabled in invisible iframe. FedCM should be enabled as long as the top frame is visible', () =>
    inWorld(async (w) => {
      servePages(w);
      // style="display:none": the agent renders nothing, so a hidden iframe is an iframe.
      const message = await fedcmIframe(w, await iframe(w.page, `${REMOTE}${IFRAME}`, true));
      assert.equal(message.result, 'Pass');
      assert.equal(message.token, 'token');
    }),
  );

  subtest('FedCM disabled in 2 level deep nested iframe where middle iframe does not have permission policy', () =>
    inWorld(async (w) => {
      servePages(w);
      const message = await level2(w, `${REMOTE}${LEVEL2}`, false);
      assert.equal(message.result, 'Fail');
      assert.equal(message.errorType, 'NotAllowedError');
    }),
  );

  subtest('FedCM disabled in 2 level deep nested iframe where innermost iframe does not have permission policy', () =>
    inWorld(async (w) => {
      servePages(w);
      const message = await level2(w, `${REMOTE}${LEVEL2}?permission=0`, true);
      assert.equal(message.result, 'Fail');
      assert.equal(message.errorType, 'NotAllowedError');
    }),
  );

  subtest('FedCM should work in non-HTTPS URLs on localhost', () =>
    inWorld(async (w) => {
      // The fixture server speaks only HTTPS, so the http://localhost document is created
      // without a request; what matters is its origin, http://localhost:8000.
      const frame = await iframe(w.page, `http://localhost:8000${IFRAME}`, true, { load: false });
      assert.equal(frame.isSecureContext, true);
      const message = await fedcmIframe(w, frame);
      assert.equal(message.result, 'Pass');
      assert.equal(message.token, 'token');
    }),
  );
});

/**
 * support/fedcm-third-party-iframe.sub.html on the not-same-site origin (WPT hosts[alt]): get()
 * with manifest_iframe.py (whose client metadata says the iframe is a third party to the top
 * frame), and the chooser's title or subtitle must name the iframe's host.
 */
async function thirdPartyIframe(w: SupportWorld, active: boolean): Promise<string> {
  const host = new URL(w.alt.origin).hostname;
  const url = w.alt.url(`/fedcm/support/fedcm-third-party-iframe.sub.html${active ? '?active' : ''}`);
  w.server.route(w.alt.origin, 'GET', '/fedcm/support/fedcm-third-party-iframe.sub.html', () => ({
    headers: { 'content-type': 'text/html' },
    body: '<!doctype html><title>third-party iframe</title>',
  }));
  selectManifest(w.idp, w.configURL('manifest_iframe.py'));
  const frame = await iframe(w.page, url, true);
  let result: string;
  const options = w.options('manifest_iframe.py');
  if (active) {
    options.identity['mode'] = 'active';
    frame.activate(); // test_driver.bless()
  }
  const cred = frame.navigator.credentials!.get(options);
  cred.catch(() => {});
  try {
    const first = await Promise.race([cred.then(() => 'settled' as const, (e: Error) => e), w.dialogType()]);
    if (first !== 'AccountChooser') throw first instanceof Error ? first : new Error(`Incorrect dialog type: ${first}`);
    const { title, subtitle } = w.agent.automation.getTitle();
    if (!title.includes(host) && !(subtitle ?? '').includes(host)) throw new Error(`Did not find iframe origin in title or subtitle: ${title}, ${subtitle}`);
    result = 'Pass';
  } catch (e) {
    result = `Fail: ${(e as Error).name === 'Error' ? (e as Error).message : (e as Error).name}`;
  }
  try {
    w.agent.automation.cancelDialog();
  } catch {
    // no dialog
  }
  return result;
}

wptFile('fedcm/third-party-iframe/fedcm-third-party-iframe.https.html', () => {
  subtest('FedCM in third-party iframe shows both origins', () =>
    inWorld(async (w) => {
      assert.equal(await thirdPartyIframe(w, false), 'Pass');
    }),
  );
});

wptFile('fedcm/third-party-iframe/fedcm-third-party-iframe-active-mode.https.html', () => {
  subtest('FedCM active mode in third-party iframe shows the iframe origin', () =>
    inWorld(async (w) => {
      assert.equal(await thirdPartyIframe(w, true), 'Pass');
    }),
  );
});

wptFile('fedcm/fedcm-opaque-rp-origin.https.html', () => {
  // WPT serves the test page itself with "Content-Security-Policy: sandbox allow-scripts …";
  // fedkit's agent gives an opaque origin to sandboxed iframes, so the RP document is one.
  subtest('Opaque RP origin should trigger a NetworkError.', () =>
    inWorld(async (w) => {
      const frame = await w.page.openFrame('https://rp.example/iframe', { sandbox: true, allow: 'identity-credentials-get' });
      assert.equal(frame.origin, 'null');
      // set_alt_fedcm_cookie()
      (await w.agent.open(w.alt.url('/fedcm/support/set_cookie'))).close();
      assert.equal(await rejectionName(frame.navigator.credentials!.get(w.options(undefined, w.alt))), 'NetworkError');
    }),
  );
});
