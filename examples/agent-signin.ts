import { createAgent, IdentityCredential } from 'fedkit/agent';
import { startTestSystem } from 'fedkit/testing';

// fedkit's IdP and RP on 127.0.0.1, answering as https://idp.example and https://rp.example.
const system = await startTestSystem();
const { idp, rp } = system;

// The agent reaches them through host rules and trusts the system's test CA.
const agent = createAgent({ hostRules: system.hostRules, ca: system.ca });
agent.on('fetch', (r) => console.log(`${r.method} ${r.url} -> ${r.status ?? r.error}`));

await agent.open(idp.signInUrl()); // Jane signs in at the IdP (session cookie + Set-Login)
const page = await agent.open(rp.url());

const pending = page.navigator.credentials!.get({
  identity: { providers: [{ configURL: idp.configURL, clientId: idp.clientId, params: { nonce: 'n-0S6_WzA2Mj' } }] },
});
const dialog = await agent.automation.waitForDialog(); // the account chooser
console.log(`${dialog.title}: ${dialog.accounts.map((a) => `${a.name} <${a.email}>`).join(', ')}`);
agent.automation.selectAccount(0);

const credential = await pending;
if (credential instanceof IdentityCredential) {
  // A JWT signed by the IdP; the RP's server verifies it (verifyIdentityToken from fedkit/rp).
  const claims = JSON.parse(Buffer.from(String(credential.token).split('.')[1]!, 'base64url').toString());
  console.log(`token for ${claims.aud}: sub ${claims.sub}, nonce ${claims.nonce}`);
}

await agent.close();
await system.close();
