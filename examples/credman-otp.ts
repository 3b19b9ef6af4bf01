import { createAgent, OTPCredential } from 'fedkit/agent';

// The agent's phone: messages POSTed to a loopback endpoint arrive on it as SMS.
const agent = createAgent({ sms: { http: {} } });
const endpoint = await agent.sms.listen();
const page = await agent.open('https://rp.example/', { load: false });

const pending = page.navigator.credentials!.get({ otp: { transport: ['sms'] } });
// The RP's server sends the code; the last line binds it to https://rp.example.
await fetch(endpoint, { method: 'POST', body: 'Your code is 123456.\n\n@rp.example #123456' });
const prompt = await agent.automation.waitForDialog({ type: 'OtpConsent' });
console.log(prompt.title);
agent.automation.clickDialogButton('OtpConsentAllow');
const credential = await pending;
if (credential instanceof OTPCredential) console.log(`code: ${credential.code}`);

await agent.close();
