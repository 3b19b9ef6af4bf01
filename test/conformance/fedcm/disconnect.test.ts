// WPT fedcm/: IdentityCredential.disconnect() — with and without a connected account, per IdP,
// its argument and endpoint errors, in iframes, concurrent calls, and a page that goes away
// while one is pending.

import assert from 'node:assert/strict';
import type { Frame, IdentityCredential, IdentityCredentialDisconnectOptions } from '../../../src/agent/index.js';
import type { IdpController } from '../../fixtures/index.js';
import { getAndSelectFirstAccount, inWorld, rejectionName, selectFirstAccountOf, selectManifest, type SupportWorld } from '../support/core-support.js';
import { subtest, wptFile } from '../wpt.js';

/** WPT disconnect_options(accountHint, file) / alt_disconnect_options: clientId '1'; `file` undefined is manifest.py. */
function disconnectOptions(w: SupportWorld, accountHint: string, idp: IdpController = w.idp, file?: string): IdentityCredentialDisconnectOptions {
  return { configURL: file === undefined ? idp.configURL : w.configURL(file, idp), clientId: '1', accountHint };
}

function disconnect(frame: Frame, options: unknown): Promise<void> {
  return frame.IdentityCredential!.disconnect(options as IdentityCredentialDisconnectOptions);
}

/** Settles (either way) within `ms`, or fails. */
async function settlesWithin(p: Promise<unknown>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([p.then(() => undefined, () => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

wptFile('fedcm/fedcm-disconnect.sub.https.html', () => {
  subtest('Repeatedly calling disconnect should eventually fail', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, w.options(undefined, w.alt));
      // The IdP accepts any account hint: the user agent is what must stop sending requests.
      for (let i = 0; ; i++) {
        assert.ok(i < 10, 'disconnect() kept succeeding');
        try {
          await disconnect(w.page, disconnectOptions(w, '1234', w.alt));
        } catch {
          break;
        }
      }
    }),
  );

  subtest('Test that disconnect fails when there is no account to disconnect', () =>
    inWorld(async (w) => {
      assert.equal(await rejectionName(disconnect(w.page, disconnectOptions(w, 'nonExistent', w.alt))), 'NetworkError');
    }),
  );

  subtest('Test that disconnect succeeds when there is an account to disconnect', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, w.options(undefined, w.alt));
      await disconnect(w.page, disconnectOptions(w, '1234', w.alt));
    }),
  );

  subtest('Test that disconnecting the same account twice results in failure.', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, w.options(undefined, w.alt));
      await disconnect(w.page, disconnectOptions(w, '1234', w.alt));
      assert.equal(await rejectionName(disconnect(w.page, disconnectOptions(w, '1234', w.alt))), 'NetworkError');
    }),
  );

  subtest('Disconnect passing an incorrect ID can still succeed', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, w.options(undefined, w.alt));
      await disconnect(w.page, disconnectOptions(w, 'noMatch', w.alt));
    }),
  );

  subtest('Disconnect is bound to each IDP', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, w.options(undefined, w.alt));
      await getAndSelectFirstAccount(w, w.options());
      // One at a time: they cannot run in parallel. Both succeed.
      await disconnect(w.page, disconnectOptions(w, '1'));
      await disconnect(w.page, disconnectOptions(w, '2', w.alt));
    }),
  );

  subtest('Test that disconnect succeeds when there is a pending get request and the get request succeeds after the disconnect', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, w.options(undefined, w.alt));
      const pending = w.page.navigator.credentials!.get(w.options(undefined, w.alt));
      await disconnect(w.page, disconnectOptions(w, '1234', w.alt));
      selectFirstAccountOf(w, pending);
      assert.equal(((await pending) as IdentityCredential).token, 'token');
    }),
  );
});

wptFile('fedcm/fedcm-disconnect-errors.https.html', () => {
  subtest('disconnect requires 3 parameters: configURL, clientId, and accountHint', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, w.options());
      const configURL = w.idp.configURL;
      assert.equal(await rejectionName(disconnect(w.page, { configURL, clientId: '1' })), 'TypeError');
      assert.equal(await rejectionName(disconnect(w.page, { configURL, accountHint: 'hint' })), 'TypeError');
      assert.equal(await rejectionName(disconnect(w.page, { clientId: '1', accountHint: 'hint' })), 'TypeError');
    }),
  );

  subtest('disconnect fails if the disconnect endpoint is cross-origin with respect to the config file', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, w.options());
      const file = 'manifest_with_cross_origin_disconnect.sub.json';
      selectManifest(w.idp, w.configURL(file));
      assert.equal(await rejectionName(disconnect(w.page, disconnectOptions(w, '1234', w.idp, file))), 'NetworkError');
    }),
  );

  subtest('disconnect fails if the server sends failure', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, w.options());
      const file = 'manifest_with_disconnect_failure.json';
      selectManifest(w.idp, w.configURL(file));
      assert.equal(await rejectionName(disconnect(w.page, disconnectOptions(w, '1234', w.idp, file))), 'NetworkError');
    }),
  );
});

/**
 * support/fedcm/disconnect-iframe.html: get() (unless ?skip_get) then disconnect(), reported as
 * {result: "Pass" | "Failed get" | "Failed disconnect", errorType}.
 */
async function disconnectIframe(w: SupportWorld, url: string, allow: boolean): Promise<{ result: string; errorType?: string }> {
  const frame = await w.page.openFrame(url, allow ? { allow: 'identity-credentials-get' } : {});
  if (!new URL(url).searchParams.has('skip_get')) {
    try {
      await getAndSelectFirstAccount(w, w.options(), frame);
    } catch (e) {
      return { result: 'Failed get', errorType: (e as Error).name };
    }
  }
  try {
    await disconnect(frame, disconnectOptions(w, '1234'));
    return { result: 'Pass' };
  } catch (e) {
    return { result: 'Failed disconnect', errorType: (e as Error).name };
  }
}

wptFile('fedcm/fedcm-disconnect-iframe.sub.https.html', () => {
  const PAGE = '/fedcm/support/fedcm/disconnect-iframe.html';
  const servePage = (w: SupportWorld, origin: string): void =>
    w.server.route(origin, 'GET', PAGE, () => ({ headers: { 'content-type': 'text/html' }, body: '<!doctype html><title>disconnect iframe</title>' }));

  subtest('Same-origin iframe does not need explicit identity-credentials-get', () =>
    inWorld(async (w) => {
      servePage(w, 'https://rp.example');
      const message = await disconnectIframe(w, `https://rp.example${PAGE}`, false);
      assert.equal(message.result, 'Pass');
    }),
  );

  subtest('Cross-origin iframe fails disconnect() without explicit identity-credentials-get', () =>
    inWorld(async (w) => {
      servePage(w, w.alt.origin);
      const message = await disconnectIframe(w, w.alt.url(`${PAGE}?skip_get`), false);
      assert.equal(message.result, 'Failed disconnect');
      assert.equal(message.errorType, 'NotAllowedError');
    }),
  );

  subtest('Cross-origin iframe can disconnect with explicit identity-credentials-get', () =>
    inWorld(async (w) => {
      servePage(w, w.alt.origin);
      const message = await disconnectIframe(w, w.alt.url(PAGE), true);
      assert.equal(message.result, 'Pass');
    }),
  );
});

wptFile('fedcm/fedcm-too-many-disconnect-calls.https.html', () => {
  subtest('When disconnect is called while there is a pending one, it is rejected.', () =>
    inWorld(async (w) => {
      await getAndSelectFirstAccount(w, w.options());
      const options = disconnectOptions(w, '1234');
      const first = disconnect(w.page, options);
      first.catch(() => {});
      assert.equal(await rejectionName(disconnect(w.page, options)), 'NetworkError');
      await settlesWithin(first, 10_000, 'the first disconnect()');
    }),
  );
});

wptFile('fedcm/fedcm-pending-disconnect.https.html', () => {
  subtest('Test that disconnect can be pending when the test finishes.', () =>
    inWorld(async (w) => {
      // Through the FedCM flow first, so that disconnect() has work to do.
      await getAndSelectFirstAccount(w, w.options());
      // Not awaited: the page goes away with the call in flight. The agent must cope: the call
      // settles, nothing throws.
      const pending = disconnect(w.page, disconnectOptions(w, '1234'));
      pending.catch(() => {});
      w.page.close();
      await settlesWithin(pending, 10_000, 'the pending disconnect()');
    }),
  );
});
