import { autoSelect, createAgent, FederatedCredential } from 'fedkit/agent';

// A user who says yes: saves what the page offers, picks the first credential in the chooser.
const agent = createAgent({ mediator: autoSelect() });
const page = await agent.open('https://rp.example/', { load: false });
const credentials = page.navigator.credentials!;

// The user signed in with an identity provider (the page's own OAuth flow); the page remembers it.
await credentials.store(
  new page.FederatedCredential!({ id: 'alice@idp.example', provider: 'https://idp.example', protocol: 'openidconnect' }),
);

// Next visit: which provider did this user sign in with?
const credential = await credentials.get({ federated: { providers: ['https://idp.example'] } });
if (credential instanceof FederatedCredential) console.log(`${credential.id} via ${credential.provider} (${credential.protocol})`);

await agent.close();
