import { createAgent, IdentityCredential } from 'fedkit/agent';
import { installIdp, installRp, startFixtureServer } from '../test/fixtures/index.js';

// An HTTPS server on 127.0.0.1 that answers for any *.example host name.
const server = await startFixtureServer();
const idp = installIdp(server); // a FedCM IdP at https://idp.example
installRp(server); //             an RP page at https://rp.example

// The agent reaches *.example through host rules and trusts the server's test CA.
const agent = createAgent({ hostRules: server.hostRules, ca: server.ca });
agent.on('fetch', (r) => console.log(`${r.method} ${r.url} -> ${r.status ?? r.error}`));

await agent.open(idp.url('/login')); // the user signs in at the IdP (cookie + Set-Login)
const page = await agent.open('https://rp.example/');

const pending = page.navigator.credentials!.get({
  identity: { providers: [{ configURL: idp.configURL, clientId: '123', params: { nonce: 'n-0S6_WzA2Mj' } }] },
});
const dialog = await agent.automation.waitForDialog(); // the account chooser
console.log(`${dialog.title}: ${dialog.accounts.map((a) => a.email).join(', ')}`);
agent.automation.selectAccount(0);

const credential = await pending;
if (credential instanceof IdentityCredential) console.log(`token: ${JSON.stringify(credential.token)}`);

await agent.close();
await server.close();
