import { createAgent, IdentityCredential } from 'fedkit/agent';
import { startTestSystem } from 'fedkit/testing';

// Run twice with the same profile: the first run asks, the second signs in by itself.
const profile = process.argv[2] ?? 'profile.db';
// The IdP keeps its state beside the agent's profile, so it remembers Jane too.
const system = await startTestSystem({ idp: { database: `${profile}.idp` } });
const { idp, rp } = system;

const agent = createAgent({ hostRules: system.hostRules, ca: system.ca, profile });
agent.on('dialogShown', (dialog) => {
  console.log(`dialog: ${dialog.dialogType}`);
  if (dialog.dialogType === 'AccountChooser') setImmediate(() => agent.automation.selectAccount(0));
});

// The IdP session cookie and login status come from the profile after the first run.
if (agent.profile.getLoginStatus(idp.origin) !== 'logged-in') await agent.open(idp.signInUrl());
const page = await agent.open(rp.url());
const credential = await page.navigator.credentials!.get({
  identity: { providers: [{ configURL: idp.configURL, clientId: idp.clientId }] },
});
if (credential instanceof IdentityCredential) console.log(`isAutoSelected: ${credential.isAutoSelected}`);

await agent.close();
await system.close();
