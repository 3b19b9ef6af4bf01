// Every test file's window gets FedCM, backed by an agent that reaches the test system; Jane is
// signed in at the IdP. Tests take the installation with getFedCM(window).

import { afterAll, beforeAll } from '@jest/globals';
import { getFedCM, installFedCM } from 'fedkit/jsdom';

beforeAll(async () => {
  const { hostRules, ca, signInUrl } = JSON.parse(process.env.FEDKIT_TEST_SYSTEM);
  const fedcm = await installFedCM(window, { hostRules, ca });
  await fedcm.agent.open(signInUrl);
});

afterAll(async () => {
  await getFedCM(window).uninstall();
});
