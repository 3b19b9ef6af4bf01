import { createAgent, PasswordCredential } from 'fedkit/agent';

const agent = createAgent();
const page = await agent.open('https://rp.example/', { load: false });
const credentials = page.navigator.credentials!;

// The sign-in form the page shows (a loaded page's forms are parsed from its HTML).
page.document.body.innerHTML = `<form>
  <input name="user" autocomplete="username" value="alice">
  <input name="pass" type="password" autocomplete="current-password" value="correct horse">
</form>`;

// After a successful sign-in the page offers the password to the browser; the user saves it.
const saved = credentials.store(new page.PasswordCredential!(page.forms()[0]!));
await agent.automation.waitForDialog({ type: 'SaveCredential' });
agent.automation.clickDialogButton('SaveCredentialConfirm');
await saved;

// Next visit: the chooser lists it; the user picks it and ticks "stay signed in".
const pending = credentials.get({ password: true });
const chooser = await agent.automation.waitForDialog({ type: 'CredentialChooser' });
console.log(chooser.title, chooser.credentials.map((c) => c.id));
agent.automation.selectAccount(0, { staySignedIn: true });
const credential = await pending;
if (credential instanceof PasswordCredential) console.log(`${credential.id}: ${credential.password}`);

// Now a silent request gets it without any UI, until the site signs the user out.
console.log((await credentials.get({ password: true, mediation: 'silent' }))?.id);
await credentials.preventSilentAccess();
console.log(await credentials.get({ password: true, mediation: 'silent' }));

await agent.close();
