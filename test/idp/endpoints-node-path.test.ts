// The endpoints tests again, with the world's server on the IdP's Node path (helpers.ts IDP_PATH):
// serve() asks the IdP without a Request and writes its reply straight to node:http. Both
// paths must answer every test alike.

import assert from 'node:assert/strict';
import { test } from 'node:test';

process.env.FEDKIT_TEST_IDP_PATH = 'node';
await import('./endpoints.test.js');
const { nodePathRequests } = await import('./helpers.js');

test('the IdP answered on its Node path', () => {
  assert.ok(nodePathRequests() > 0, 'no request reached the IdP through its LightHandler');
});
