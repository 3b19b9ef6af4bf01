// Vitest's configuration for the fedkit/jsdom recipe (docs/testing.md): the jsdom environment at
// the RP's URL, the test system started once (global-setup.ts), FedCM installed in every test
// file's window (fedcm.setup.ts). Run: npx vitest run --config test/integrations/vitest/vitest.config.ts

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.spec.ts'],
    environment: 'jsdom',
    // The window's URL is the RP's: FedCM needs a secure context, and the test IdP knows this origin.
    environmentOptions: { jsdom: { url: 'https://rp.example/' } },
    globalSetup: ['./global-setup.ts'],
    setupFiles: ['./fedcm.setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
