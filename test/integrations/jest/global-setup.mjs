// Starts fedkit/testing's IdP and RP once for the whole Jest run, in Node's realm (globalSetup
// runs outside the test environment), and hands the test files what they need to reach them
// through the environment, which Jest's workers inherit.

import { startTestSystem } from 'fedkit/testing';

export default async function globalSetup() {
  const system = await startTestSystem();
  globalThis.fedkitTestSystem = system; // for global-teardown.mjs (same realm)
  process.env.FEDKIT_TEST_SYSTEM = JSON.stringify({
    hostRules: system.hostRules,
    ca: system.ca,
    configURL: system.idp.configURL,
    clientId: system.idp.clientId,
    signInUrl: system.idp.signInUrl(),
  });
}
