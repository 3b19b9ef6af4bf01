// WPT credential-management/: the CredentialsContainer basics — get() and create() argument
// handling and abort, preventSilentAccess(), data: frames, detached documents, insecure
// contexts, and the historical check.

import assert from 'node:assert/strict';
import { Credential, type CredentialCreationOptions, type CredentialRequestOptions, type FederatedCredential, type PasswordCredential } from '../../../src/agent/index.js';
import { rejection } from '../../helpers/world.js';
import { offline, runPageScript } from '../support/extra-credman.js';
import { subtest, wptFile } from '../wpt.js';

const errorName = async (p: Promise<unknown>): Promise<string> => String(((await rejection(p)) as { name?: unknown }).name);

wptFile('credential-management/credentialscontainer-get-basics.https.html', () => {
  subtest('Calling navigator.credentials.get() without a valid matching interface.', () =>
    offline(async ({ page }) => {
      const credentials = page.navigator.credentials!;
      const { signal } = new AbortController();
      const cases: unknown[] = [undefined, {}, { x: 'y' }, { x: 'y', y: 'z' }, { x: 'y' }, { mediation: 'required' }, { signal }, { signal, mediation: 'required' }];
      for (const options of cases) {
        // Any value a script may pass (WPT passes unknown members on purpose).
        const p = options === undefined ? credentials.get() : credentials.get(options as CredentialRequestOptions);
        assert.equal(await errorName(p), 'NotSupportedError', `get(${options === undefined ? '' : 'options'})`);
      }
    }),
  );

  subtest('navigator.credentials.get() aborted with custom reason', () =>
    offline(async ({ page }) => {
      const controller = new AbortController();
      controller.abort('custom reason');
      assert.equal(await rejection(page.navigator.credentials!.get({ signal: controller.signal })), 'custom reason');
    }),
  );

  subtest('navigator.credentials.get() aborted with different objects', () =>
    offline(async ({ page }) => {
      for (const reason of [{}, [], new Error('custom error')]) {
        assert.equal(await rejection(page.navigator.credentials!.get({ signal: AbortSignal.abort(reason) })), reason);
      }
    }),
  );

  subtest('navigator.credentials.get() rejects when aborted after the promise creation', () =>
    offline(async ({ page }) => {
      const error = new Error('custom error');
      const controller = new AbortController();
      const result = page.navigator.credentials!.get({ signal: controller.signal });
      controller.abort(error);
      assert.equal(await rejection(result), error);
    }),
  );
});

wptFile('credential-management/credentialscontainer-create-basics.https.html', () => {
  const create = (page: Parameters<Parameters<typeof offline>[0]>[0]['page'], options?: unknown): Promise<unknown> =>
    options === undefined ? page.navigator.credentials!.create() : page.navigator.credentials!.create(options as CredentialCreationOptions);
  const notSupported = (name: string, options: unknown): void =>
    subtest(name, () => offline(async ({ page }) => assert.equal(await errorName(create(page, options)), 'NotSupportedError')));
  const typeError = (name: string, options: unknown): void =>
    subtest(name, () =>
      offline(async ({ page }) => {
        const e = await rejection(create(page, options));
        assert.ok(e instanceof TypeError, `expected TypeError, got ${String(e)}`);
      }),
    );
  const passwordData = { id: 'id', password: 'pencil' };
  const federatedData = { id: 'id', provider: 'https://example.com/' };

  notSupported('navigator.credentials.create() with no argument.', undefined);
  notSupported('navigator.credentials.create() with empty argument.', {});

  subtest('navigator.credentials.create() with valid PasswordCredentialData', () =>
    offline(async ({ page }) => {
      const credential = (await create(page, { password: passwordData })) as PasswordCredential;
      assert.equal(credential.id, 'id');
      assert.equal(credential.name, '');
      assert.equal(credential.iconURL, '');
      assert.equal(credential.type, 'password');
      assert.equal(credential.password, 'pencil');
    }),
  );

  subtest('navigator.credentials.create() with valid HTMLFormElement', () =>
    offline(async ({ page }) => {
      const f = page.document.createElement('form');
      f.innerHTML =
        "<input type='text' name='theId' value='musterman' autocomplete='username'>" +
        "<input type='text' name='thePassword' value='sekrit' autocomplete='current-password'>" +
        "<input type='text' name='theIcon' value='https://example.com/photo' autocomplete='photo'>" +
        "<input type='text' name='theExtraField' value='extra'>" +
        "<input type='text' name='theName' value='friendly name' autocomplete='name'>";
      const credential = (await create(page, { password: f })) as PasswordCredential;
      assert.equal(credential.id, 'musterman');
      assert.equal(credential.name, 'friendly name');
      assert.equal(credential.iconURL, 'https://example.com/photo');
      assert.equal(credential.type, 'password');
      assert.equal(credential.password, 'sekrit');
    }),
  );

  typeError('navigator.credentials.create() with bogus password data', { password: 'bogus password data' });

  subtest('navigator.credentials.create() with valid FederatedCredentialData', () =>
    offline(async ({ page }) => {
      const credential = (await create(page, { federated: federatedData })) as FederatedCredential;
      assert.equal(credential.id, 'id');
      assert.equal(credential.name, '');
      assert.equal(credential.iconURL, '');
      assert.equal(credential.type, 'federated');
    }),
  );

  typeError('navigator.credentials.create() with bogus federated data', { federated: 'bogus federated data' });
  typeError('navigator.credentials.create() with bogus publicKey data', { publicKey: 'bogus publicKey data' });
  notSupported('navigator.credentials.create() with both PasswordCredentialData and FederatedCredentialData', { password: passwordData, federated: federatedData });
  typeError('navigator.credentials.create() with bogus password and federated data', { password: 'bogus password data', federated: 'bogus federated data' });
  typeError('navigator.credentials.create() with bogus federated and publicKey data', { federated: 'bogus federated data', publicKey: 'bogus publicKey data' });
  typeError('navigator.credentials.create() with bogus password and publicKey data', { password: 'bogus password data', publicKey: 'bogus publicKey data' });
  typeError('navigator.credentials.create() with bogus password, federated, and publicKey data', {
    password: 'bogus password data',
    federated: 'bogus federated data',
    publicKey: 'bogus publicKey data',
  });
  notSupported('navigator.credentials.create() with bogus data', { bogus_key: 'bogus data' });

  subtest('navigator.credentials.create() aborted with custom reason', () =>
    offline(async ({ page }) => {
      const controller = new AbortController();
      controller.abort('custom reason');
      assert.equal(await rejection(create(page, { signal: controller.signal })), 'custom reason');
    }),
  );

  subtest('navigator.credentials.create() aborted with different objects', () =>
    offline(async ({ page }) => {
      for (const reason of [{}, [], new Error('custom error')]) {
        assert.equal(await rejection(create(page, { signal: AbortSignal.abort(reason) })), reason);
      }
    }),
  );

  subtest('navigator.credentials.create() rejects when aborted after the promise creation', () =>
    offline(async ({ page }) => {
      const error = new Error('custom error');
      const controller = new AbortController();
      const result = create(page, { signal: controller.signal });
      controller.abort(error);
      assert.equal(await rejection(result), error);
    }),
  );
});

wptFile('credential-management/credentialscontainer-prevent-silent-access.https.html', () => {
  subtest('navigator.credentials.preventSilentAccess() resolves with undefined.', () =>
    offline(async ({ page }) => {
      assert.equal(await page.navigator.credentials!.preventSilentAccess(), undefined);
    }),
  );
});

wptFile('credential-management/credentialscontainer-frame-basics.https.html', () => {
  subtest('navigator.credentials should be undefined in documents generated from `data:` URLs.', () =>
    offline(async ({ page }) => {
      // The data: document posts String(navigator.credentials) to its parent.
      const frame = await page.openFrame("data:text/html,<script>window.parent.postMessage(String(navigator.credentials), '*');</script>");
      assert.equal(String(frame.navigator.credentials), 'undefined');
    }),
  );
});

wptFile('credential-management/non-fully-active.https.html', () => {
  subtest('non-fully active document behavior for CredentialsContainer', () =>
    offline(async ({ page }) => {
      // WPT's iframe is about:blank; the agent treats about: documents as not potentially
      // trustworthy (no navigator.credentials), so the frame is a same-origin https document.
      const iframe = await page.openFrame('https://rp.example/iframe', { load: false });
      // The signal check comes after the fully-active check: an aborted signal must not win.
      const controller = new AbortController();
      const signal = controller.signal;
      controller.abort();
      const credentials = iframe.navigator.credentials!;
      iframe.close(); // iframe.remove(): no longer fully active
      assert.equal(await errorName(credentials.get({ signal })), 'InvalidStateError', 'Expected InvalidStateError for get() on non-fully-active document');
      assert.equal(await errorName(credentials.create({ signal })), 'InvalidStateError', 'Expected InvalidStateError for create() on non-fully-active document');
      assert.equal(
        await errorName(credentials.preventSilentAccess()),
        'InvalidStateError',
        'Expected InvalidStateError for preventSilentAccess() on non-fully-active document',
      );
    }),
  );
});

wptFile('credential-management/require_securecontext.html', () => {
  subtest('Credential Management must not be accessible in insecure contexts', () =>
    offline(async ({ agent }) => {
      const page = await agent.open('http://rp.example/require_securecontext.html', { load: false });
      assert.equal(page.isSecureContext, false);
      assert.equal(page.navigator.credentials, undefined);
      // The page's own script: isSecureContext and 'credentials' in navigator.
      const seen = (await runPageScript(page, "window.result = { secure: isSecureContext, credentials: 'credentials' in navigator };")) as {
        secure: boolean;
        credentials: boolean;
      };
      assert.equal(seen.secure, false);
      assert.equal(seen.credentials, false);
    }),
  );
});

wptFile('credential-management/historical.https.html', () => {
  subtest('Credential.willRequestConditionalCreation should not exist', () =>
    offline(async ({ page }) => {
      assert.equal('willRequestConditionalCreation' in Credential, false);
      // And as the page's own script sees the interface object.
      assert.equal(await runPageScript(page, "window.result = 'willRequestConditionalCreation' in Credential;"), false);
    }),
  );
});
