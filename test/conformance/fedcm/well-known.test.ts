// WPT fedcm/fedcm-well-known-validation/: FedCM §3.2 (PR #760) — a config with
// client_metadata_endpoint needs a well-known file in the direct form (accounts_endpoint and
// login_url). The spec's strict rule is `compat.strictWellKnown` (Chromium 156 only warns;
// docs/decisions.md).

import assert from 'node:assert/strict';
import { rejection } from '../../helpers/world.js';
import { dialogTypeOrSettled, getAndSelectFirstAccount, setWellKnownFormat } from '../support/extra-fedcm.js';
import type { RequestOptions } from '../support/core-support.js';
import { fedcmTest, type WptWorld } from '../support/world.js';
import { subtest, wptFile } from '../wpt.js';

async function inWorld(fn: (w: WptWorld) => Promise<void>): Promise<void> {
  const w = await fedcmTest({ agent: { compat: { strictWellKnown: true } } });
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

const required = (w: WptWorld): RequestOptions => ({ identity: { providers: [{ configURL: w.idp.configURL, clientId: '1', nonce: '2' }] }, mediation: 'required' });

/** manifest_with_no_client_metadata.json: the default config without client_metadata_endpoint. */
const withoutClientMetadata = (w: WptWorld): void => w.idp.setConfig({ client_metadata_endpoint: undefined });

wptFile('fedcm/fedcm-well-known-validation/well-known-client-metadata-validation.https.html', () => {
  subtest('FedCM should succeed with direct well-known format and client_metadata', () =>
    inWorld(async (w) => {
      setWellKnownFormat(w.idp, 'direct');
      const credential = await getAndSelectFirstAccount(w, required(w));
      assert.equal(credential.token, 'token', 'Should get credential with token');
    }),
  );

  const failing: [string, 'missing' | 'partial_accounts' | 'partial_login' | 'provider_urls'][] = [
    ['FedCM should fail with missing well-known endpoints and client_metadata', 'missing'],
    ['FedCM should fail with partial accounts endpoint and client_metadata', 'partial_accounts'],
    ['FedCM should fail with partial login endpoint and client_metadata', 'partial_login'],
    ['FedCM should fail with provider_urls format and client_metadata (validation enforced)', 'provider_urls'],
  ];
  for (const [name, format] of failing) {
    subtest(name, () =>
      inWorld(async (w) => {
        setWellKnownFormat(w.idp, format);
        const p = w.page.navigator.credentials!.get(required(w));
        // fedcm_settles_without_dialog, then promise_rejects_dom NetworkError.
        assert.equal(await dialogTypeOrSettled(w, p), 'settled');
        assert.equal(((await rejection(p)) as DOMException).name, 'NetworkError');
      }),
    );
  }

  const succeeding: [string, 'missing' | 'empty' | 'default'][] = [
    ['FedCM should succeed with missing well-known endpoints without client_metadata', 'missing'],
    ['FedCM should succeed with empty well-known endpoints without client_metadata', 'empty'],
    ['FedCM should succeed with provider_urls format without client_metadata (no validation)', 'default'],
  ];
  for (const [name, format] of succeeding) {
    subtest(name, () =>
      inWorld(async (w) => {
        setWellKnownFormat(w.idp, format);
        withoutClientMetadata(w);
        const credential = await getAndSelectFirstAccount(w, required(w));
        assert.equal(credential.token, 'token', 'Should get credential with token');
      }),
    );
  }
});
