// WPT fedcm/: the basic flow, abort, pending calls, invalid requests.

import assert from 'node:assert/strict';
import type { IdentityCredential } from '../../../src/agent/index.js';
import { rejection } from '../../helpers/world.js';
import { fedcmTest } from '../support/world.js';
import { subtest, wptFile } from '../wpt.js';

wptFile('fedcm/fedcm-basic.https.html', () => {
  subtest('Successfully obtaining token should resolve the promise.', async () => {
    const w = await fedcmTest();
    try {
      const p = w.page.navigator.credentials!.get(w.requestOptions());
      await w.selectFirstAccount();
      const cred = (await p) as IdentityCredential;
      assert.equal(cred.token, 'token');
      assert.equal(cred.isAutoSelected, false);
    } finally {
      await w.close();
    }
  });
});

wptFile('fedcm/fedcm-abort.https.html', () => {
  subtest('Test the abort signal', async () => {
    const w = await fedcmTest();
    try {
      const controller = new AbortController();
      const p = w.page.navigator.credentials!.get(w.requestOptions({}, { signal: controller.signal }));
      assert.equal(await w.dialogType(), 'AccountChooser');
      controller.abort();
      assert.equal(((await rejection(p)) as DOMException).name, 'AbortError');
    } finally {
      await w.close();
    }
  });
});

wptFile('fedcm/fedcm-pending-call-rejected.https.html', () => {
  subtest('When there is a pending request, a second get() is rejected', async () => {
    const w = await fedcmTest();
    try {
      const first = w.page.navigator.credentials!.get(w.requestOptions());
      const second = await rejection(w.page.navigator.credentials!.get(w.requestOptions()));
      assert.equal((second as DOMException).name, 'NotAllowedError');
      await w.selectFirstAccount();
      assert.equal(((await first) as IdentityCredential).token, 'token');
    } finally {
      await w.close();
    }
  });
});

wptFile('fedcm/fedcm-reject-invalid-responses.https.html', () => {
  const cases: [string, (configURL: string) => Record<string, unknown>, string][] = [
    ['Reject when provider list is empty', () => ({ identity: { providers: [] } }), 'TypeError'],
    ["Reject when configURL is missing", () => ({ identity: { providers: [{ clientId: '1', nonce: '2' }] } }), 'TypeError'],
    ['Reject when configURL is invalid', () => ({ identity: { providers: [{ configURL: 'test', clientId: '1', nonce: '2' }] } }), 'InvalidStateError'],
    ['Reject when clientId is empty', (configURL) => ({ identity: { providers: [{ configURL, clientId: '', nonce: '2' }] } }), 'InvalidStateError'],
    ['Reject when clientId is missing', (configURL) => ({ identity: { providers: [{ configURL, nonce: '2' }] } }), 'TypeError'],
  ];
  for (const [name, options, expected] of cases) {
    subtest(name, async () => {
      const w = await fedcmTest();
      try {
        const e = (await rejection(w.page.navigator.credentials!.get(options(w.idp.configURL)))) as Error;
        assert.equal(e.name, expected);
      } finally {
        await w.close();
      }
    });
  }
});
