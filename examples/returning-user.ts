import { createAgent, IdentityCredential } from 'fedkit/agent';
import { installIdp, installRp, startFixtureServer } from '../test/fixtures/index.js';

// Run twice with the same profile file: the first run asks, the second signs in by itself.
const profile = process.argv[2] ?? 'profile.db';
const server = await startFixtureServer();
const idp = installIdp(server);
installRp(server);

const agent = createAgent({ hostRules: server.hostRules, ca: server.ca, profile });
agent.on('dialogShown', (dialog) => {
  console.log(`dialog: ${dialog.dialogType}`);
  if (dialog.dialogType === 'AccountChooser') setImmediate(() => agent.automation.selectAccount(0));
});

// The IdP session cookie and login status come from the profile after the first run.
if (agent.profile.getLoginStatus(idp.origin) !== 'logged-in') await agent.open(idp.url('/login'));
const page = await agent.open('https://rp.example/');
const credential = await page.navigator.credentials!.get({
  identity: { providers: [{ configURL: idp.configURL, clientId: '123' }] },
});
if (credential instanceof IdentityCredential) console.log(`isAutoSelected: ${credential.isAutoSelected}`);

await agent.close();
await server.close();
