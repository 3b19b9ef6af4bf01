// Jest's configuration for the fedkit/jsdom recipe (docs/testing.md). fedkit is ESM-only, so Jest
// runs in its ESM mode, without transforms:
//   node --experimental-vm-modules node_modules/jest/bin/jest.js --config test/integrations/jest/jest.config.mjs
// The test system starts in globalSetup (Node's realm; Jest's jsdom context has no TextDecoder
// or ReadableStream for undici), FedCM is installed in every test file's window (fedcm.setup.mjs).

export default {
  rootDir: new URL('.', import.meta.url).pathname,
  testMatch: ['<rootDir>/*.spec.mjs'],
  transform: {},
  testEnvironment: 'jsdom',
  // The window's URL is the RP's: FedCM needs a secure context, and the test IdP knows this origin.
  testEnvironmentOptions: { url: 'https://rp.example/' },
  globalSetup: '<rootDir>/global-setup.mjs',
  globalTeardown: '<rootDir>/global-teardown.mjs',
  setupFilesAfterEnv: ['<rootDir>/fedcm.setup.mjs'],
  testTimeout: 20_000,
};
