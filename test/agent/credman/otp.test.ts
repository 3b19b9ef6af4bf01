// WebOTP: origin-bound one-time code messages (sms-one-time-codes §4), get({otp}) with the
// consent prompt, the SMS sources (receive(), a callback, the loopback HTTP endpoint), frames
// and the otp-credentials policy (WPT otpcredential-iframe), abort and timeout.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  createAgent,
  ManualClock,
  OTPCredential,
  parseOriginBoundOneTimeCode,
  type Agent,
  type AgentOptions,
  type CredentialRequestOptions,
  type Frame,
  type SmsRequest,
} from '../../../src/agent/index.js';
import { matchOneTimeCode } from '../../../src/agent/otp/message.js';
import { errorName, rejection, tick } from './helpers.js';

const OTP = { otp: { transport: ['sms'] } } satisfies CredentialRequestOptions;

describe('origin-bound one-time code messages (sms-one-time-codes §4.2)', () => {
  const parse = parseOriginBoundOneTimeCode;

  it('parses the spec examples', () => {
    assert.deepEqual(parse('747723 is your ExampleCo authentication code.\n\n@example.com #747723'), {
      topLevelOrigin: 'https://example.com',
      embeddedOrigin: null,
      code: '747723',
    });
    assert.deepEqual(parse('747723 is your ExampleCo authentication code.\n\n@example.com #747723 @ecommerce.example'), {
      topLevelOrigin: 'https://example.com',
      embeddedOrigin: 'https://ecommerce.example',
      code: '747723',
    });
    assert.deepEqual(parse('@example.com #747723 @ecommerce.example $future'), {
      topLevelOrigin: 'https://example.com',
      embeddedOrigin: 'https://ecommerce.example',
      code: '747723',
    });
    assert.equal(parse('something @example.com #747723'), null);
    assert.equal(parse('#747723 @ecommerce.example @example.com'), null);
    assert.equal(parse('@example.com code #747723'), null);
  });

  it('handles newlines, separators and odd tokens strictly', () => {
    assert.equal(parse('Code:\r\n@example.com #1')?.code, '1');
    assert.equal(parse('Code:\r@example.com #1')?.code, '1');
    assert.equal(parse('@example.com #1\n'), null, 'the last line is empty');
    assert.equal(parse('@example.com\t#1'), null, 'exactly one U+0020 separates the fields');
    assert.equal(parse('@example.com  #1'), null);
    assert.equal(parse('@example.com #'), null);
    assert.equal(parse('@ #1'), null);
    assert.equal(parse(''), null);
    assert.equal(parse('@example.com:8443 #1'), null, 'a host, not a host and port');
    assert.equal(parse('@example.com/path #1'), null);
    assert.equal(parse('@user@example.com #1'), null);
    assert.equal(parse('@EXAMPLE.com #1')?.topLevelOrigin, 'https://example.com');
    assert.equal(parse('@bücher.example #1')?.topLevelOrigin, 'https://xn--bcher-kva.example');
    assert.deepEqual(parse('@example.com #1 @'), { topLevelOrigin: 'https://example.com', embeddedOrigin: null, code: '1' });
    assert.deepEqual(parse('@example.com #1 @bad:host'), { topLevelOrigin: 'https://example.com', embeddedOrigin: null, code: '1' });
    assert.equal(parse(`@example.com #${'9'.repeat(100_000)}`)?.code.length, 100_000);
  });

  it('matches documents as sms-one-time-codes §3 says', () => {
    const top = { topLevelOrigin: 'https://rp.example', embeddedOrigin: null, code: '1' };
    const framed = { topLevelOrigin: 'https://rp.example', embeddedOrigin: 'https://pay.example', code: '1' };
    assert.equal(matchOneTimeCode(top, 'https://rp.example', []), 'origin');
    assert.equal(matchOneTimeCode(top, 'https://www.rp.example', []), 'site');
    assert.equal(matchOneTimeCode(top, 'https://other.example', []), null);
    assert.equal(matchOneTimeCode(framed, 'https://rp.example', []), null);
    assert.equal(matchOneTimeCode(framed, 'https://pay.example', ['https://rp.example']), 'origin');
    assert.equal(matchOneTimeCode(top, 'https://pay.example', ['https://rp.example']), null);
    assert.equal(matchOneTimeCode(framed, 'https://pay.example', ['https://other.example']), null);
    assert.equal(matchOneTimeCode(framed, 'https://pay.example', ['https://pay.example', 'https://rp.example']), 'origin');
    assert.equal(matchOneTimeCode(framed, 'https://pay.example', ['https://x.pay.example', 'https://rp.example']), 'site');
    assert.equal(matchOneTimeCode(framed, 'null', ['https://rp.example']), null);
  });
});

describe('get({otp})', () => {
  let agent: Agent;
  let page: Frame;
  const open = async (options: AgentOptions = {}, url = 'https://rp.example/'): Promise<void> => {
    agent = createAgent(options);
    page = await agent.open(url, { load: false });
  };
  beforeEach(() => open());
  afterEach(async () => {
    // One-time codes are credentials: never in a diagnostic.
    assert.doesNotMatch(JSON.stringify(agent.diagnostics), /ABC123|654321/);
    await agent.close();
  });

  const allow = async (): Promise<void> => {
    await agent.automation.waitForDialog({ type: 'OtpConsent' });
    agent.automation.clickDialogButton('OtpConsentAllow');
  };

  it('resolves with the code of an SMS for this origin, after the user allows it', async () => {
    const p = page.navigator.credentials!.get(OTP);
    assert.equal(agent.sms.waiting, 1);
    assert.equal(agent.sms.receive('Your code is ABC123.\n@rp.example #ABC123'), 1);
    const dialog = await agent.automation.waitForDialog({ type: 'OtpConsent' });
    assert.deepEqual({ ...dialog, dialogId: '' }, { dialogType: 'OtpConsent', title: 'Use code ABC123 on rp.example?', accounts: [], origin: 'https://rp.example', code: 'ABC123', dialogId: '' });
    assert.throws(() => agent.automation.selectAccount(1), { name: 'AutomationError' });
    assert.throws(() => agent.automation.clickDialogButton('SaveCredentialConfirm'), { name: 'AutomationError' });
    agent.automation.clickDialogButton('OtpConsentAllow');
    const c = (await p) as OTPCredential;
    assert.ok(c instanceof OTPCredential);
    assert.ok(c instanceof page.OTPCredential!);
    assert.deepEqual([c.id, c.type, c.code], ['', 'otp', 'ABC123']);
    assert.equal(agent.sms.waiting, 0);
  });

  it('ignores messages for other origins (with a diagnostic) and keeps waiting', async () => {
    const p = page.navigator.credentials!.get(OTP);
    agent.sms.receive('@other.example #654321');
    agent.sms.receive('@www.rp.example #654321');
    agent.sms.receive('@rp.example #654321 @pay.example');
    agent.sms.receive('no code here');
    const ignored = agent.diagnostics.filter((d) => d.reason === 'OtpMessageIgnored');
    assert.equal(ignored.length, 4);
    assert.match(ignored[0]!.detail, /addressed to https:\/\/other\.example; this document would need "@rp\.example #<code>"/);
    assert.match(ignored[1]!.detail, /same site, but WebOTP gives codes to the exact origin only/);
    assert.match(ignored[2]!.detail, /addressed to https:\/\/pay\.example embedded in https:\/\/rp\.example/);
    assert.equal(agent.automation.currentDialog, null);
    agent.sms.receive('@rp.example #ABC123');
    await allow();
    assert.equal(((await p) as OTPCredential).code, 'ABC123');
  });

  it('rejects with AbortError when the user refuses', async () => {
    const p = page.navigator.credentials!.get(OTP);
    agent.sms.receive('@rp.example #ABC123');
    await agent.automation.waitForDialog({ type: 'OtpConsent' });
    // A second SMS while the prompt is up does not replace it.
    agent.sms.receive('@rp.example #999');
    assert.equal(agent.automation.currentDialog?.dialogType, 'OtpConsent');
    agent.automation.cancelDialog();
    const e = (await rejection(p)) as DOMException;
    assert.deepEqual([e.name, e.message], ['AbortError', 'OTP retrieval was cancelled.']);
  });

  it('follows the abort signal: before, while waiting, while the prompt is up', async () => {
    const reason = new Error('gone');
    assert.equal(await rejection(page.navigator.credentials!.get({ ...OTP, signal: AbortSignal.abort(reason) })), reason);
    const waiting = new AbortController();
    const p = page.navigator.credentials!.get({ ...OTP, signal: waiting.signal });
    waiting.abort(reason);
    assert.equal(await rejection(p), reason);
    assert.equal(agent.sms.waiting, 0);
    const prompting = new AbortController();
    const q = page.navigator.credentials!.get({ ...OTP, signal: prompting.signal });
    agent.sms.receive('@rp.example #ABC123');
    await agent.automation.waitForDialog({ type: 'OtpConsent' });
    prompting.abort();
    assert.equal(await errorName(q), 'AbortError');
    assert.equal(agent.automation.currentDialog, null);
  });

  it('checks the request: transport, one pending request, silent mediation', async () => {
    const e = (await rejection(page.navigator.credentials!.get({ otp: {} }))) as DOMException;
    assert.deepEqual([e.name, e.message], ['NotSupportedError', 'Unsupported transport type for OTP Credentials']);
    // @ts-expect-error 'email' is not an OTPCredentialTransportType: a script may pass it anyway.
    assert.equal(((await rejection(page.navigator.credentials!.get({ otp: { transport: ['sms', 'email'] } }))) as Error).constructor, TypeError);
    assert.equal(await page.navigator.credentials!.get({ ...OTP, mediation: 'silent' }), null);
    const first = page.navigator.credentials!.get({ otp: { transport: ['sms', 'sms'] } });
    assert.equal(await errorName(page.navigator.credentials!.get(OTP)), 'NotAllowedError');
    agent.sms.receive('@rp.example #ABC123');
    await allow();
    assert.equal(((await first) as OTPCredential).code, 'ABC123');
  });

  it('times out with InvalidStateError after sms.timeoutMs of the agent clock', async () => {
    await agent.close();
    const clock = new ManualClock();
    await open({ clock, sms: { timeoutMs: 60_000 } });
    const p = page.navigator.credentials!.get(OTP);
    clock.advance(59_999);
    await tick();
    assert.equal(agent.sms.waiting, 1);
    clock.advance(1);
    const e = (await rejection(p)) as DOMException;
    assert.deepEqual([e.name, e.message], ['InvalidStateError', 'OTP retrieval timed out.']);
    assert.equal(agent.sms.waiting, 0);
  });

  it('needs a domain: an IP address origin gets SecurityError; localhost works', async () => {
    await agent.close();
    await open({}, 'https://127.0.0.1/');
    assert.equal(await errorName(page.navigator.credentials!.get(OTP)), 'SecurityError');
    const local = await agent.open('https://localhost/', { load: false });
    const p = local.navigator.credentials!.get(OTP);
    agent.sms.receive('@localhost #ABC123');
    await allow();
    assert.equal(((await p) as OTPCredential).code, 'ABC123');
    // A message names an https origin on the default port: http://localhost:8080 never matches.
    const dev = await agent.open('http://localhost:8080/', { load: false });
    const q = dev.navigator.credentials!.get(OTP);
    agent.sms.receive('@localhost #ABC123');
    assert.equal(agent.diagnostics.at(-1)?.reason, 'OtpMessageIgnored');
    dev.close();
    assert.equal(await errorName(q), 'AbortError');
  });

  it('ends the wait when the document goes away', async () => {
    const frame = await page.openFrame('https://rp.example/frame', { load: false });
    const p = frame.navigator.credentials!.get(OTP);
    frame.close();
    assert.equal(await errorName(p), 'AbortError');
    assert.equal(agent.sms.waiting, 0);
  });
});

describe('get({otp}) in iframes (WPT otpcredential-iframe)', () => {
  let agent: Agent;
  let page: Frame;
  beforeEach(async () => {
    agent = createAgent();
    page = await agent.open('https://rp.example/', { load: false });
  });
  afterEach(() => agent.close());

  const code = async (frame: Frame, message: string): Promise<string> => {
    const p = frame.navigator.credentials!.get(OTP);
    agent.sms.receive(message);
    await agent.automation.waitForDialog({ type: 'OtpConsent' });
    agent.automation.selectAccount(0);
    return ((await p) as OTPCredential).code;
  };

  it('works in same-origin iframes, with the iframe form of the message', async () => {
    const frame = await page.openFrame('https://rp.example/frame', { load: false });
    assert.equal(await code(frame, '@rp.example #ABC123 @rp.example'), 'ABC123');
  });

  it('needs allow="otp-credentials" in cross-origin iframes', async () => {
    const denied = await page.openFrame('https://pay.example/', { load: false });
    const e = (await rejection(denied.navigator.credentials!.get(OTP))) as DOMException;
    assert.deepEqual([e.name, e.message], ['NotAllowedError', "The 'otp-credentials' feature is not enabled in this document."]);
    assert.equal(agent.diagnostics.at(-1)?.reason, 'PermissionsPolicyDenied');
    const allowed = await page.openFrame('https://pay.example/', { allow: 'otp-credentials', load: false });
    assert.equal(await code(allowed, '@rp.example #ABC123 @pay.example'), 'ABC123');
  });

  it('refuses chains of more than two origins (Chromium) and opaque origins', async () => {
    const middle = await page.openFrame('https://pay.example/', { allow: 'otp-credentials', load: false });
    const inner = await middle.openFrame('https://bank.example/', { allow: 'otp-credentials', load: false });
    const e = (await rejection(inner.navigator.credentials!.get(OTP))) as DOMException;
    assert.deepEqual([e.name, e.message], ['NotAllowedError', 'More than two unique origins are detected in the origin chain.']);
    const sandboxed = await page.openFrame('https://rp.example/s', { sandbox: true, allow: 'otp-credentials *', load: false });
    assert.equal(await errorName(sandboxed.navigator.credentials!.get(OTP)), 'NotAllowedError');
  });
});

describe('SMS sources', () => {
  let agent: Agent | undefined;
  afterEach(async () => {
    await agent?.close();
    agent = undefined;
  });

  it('asks a callback source when a document starts waiting; it may return or yield messages', async () => {
    const requests: SmsRequest[] = [];
    agent = createAgent({
      sms: {
        source: async function* (req) {
          requests.push(req);
          yield '@wrong.example #1';
          await new Promise((resolve) => setTimeout(resolve, 5));
          yield 'Your code: ABC123\n@rp.example #ABC123';
          await new Promise((resolve) => req.signal.addEventListener('abort', resolve));
        },
      },
    });
    const page = await agent.open('https://rp.example/account', { load: false });
    const p = page.navigator.credentials!.get(OTP);
    await agent.automation.waitForDialog({ type: 'OtpConsent' });
    agent.automation.clickDialogButton('OtpConsentAllow');
    assert.equal(((await p) as OTPCredential).code, 'ABC123');
    assert.deepEqual(
      requests.map((r) => [r.origin, r.topOrigin, r.signal.aborted]),
      [['https://rp.example', 'https://rp.example', true]],
    );
    assert.equal(agent.diagnostics.filter((d) => d.reason === 'OtpMessageIgnored').length, 1);
  });

  it('reports a failing source without failing the request', async () => {
    const clock = new ManualClock();
    agent = createAgent({
      clock,
      sms: {
        source: () => {
          throw new Error('modem unplugged');
        },
      },
    });
    const page = await agent.open('https://rp.example/', { load: false });
    const p = page.navigator.credentials!.get(OTP);
    await tick();
    assert.equal(agent.diagnostics.at(-1)?.reason, 'SmsSourceFailed');
    assert.match(agent.diagnostics.at(-1)!.detail, /modem unplugged/);
    agent.sms.receive('@rp.example #ABC123');
    await agent.automation.waitForDialog({ type: 'OtpConsent' });
    agent.automation.selectAccount(0);
    assert.equal(((await p) as OTPCredential).code, 'ABC123');
  });

  it('takes messages POSTed to the loopback endpoint, and only from local clients', async () => {
    agent = createAgent({ sms: { http: {} } });
    const url = await agent.sms.listen();
    assert.equal(url.hostname, '127.0.0.1');
    assert.equal(url.pathname, '/sms');
    assert.equal((await agent.sms.listen()).href, url.href);
    const page = await agent.open('https://rp.example/', { load: false });

    const post = (body: string | Buffer, headers: Record<string, string> = {}, method = 'POST'): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request(url, { method, headers: { 'content-type': 'text/plain', ...headers } }, (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (data += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
        });
        req.on('error', reject);
        req.end(body);
      });

    assert.deepEqual(await post('@rp.example #1'), { status: 202, body: '{"waiting":0}' });
    const p = page.navigator.credentials!.get(OTP);
    assert.equal((await post('', {}, 'GET')).status, 405);
    assert.equal((await post('@rp.example #ABC123', { origin: 'https://evil.example' })).status, 403);
    assert.equal((await post('@rp.example #ABC123', { host: 'evil.example' })).status, 403);
    assert.equal((await post(Buffer.alloc(64 * 1024 + 1, 0x41))).status, 413);
    assert.equal((await post('{"msg": 1}', { 'content-type': 'application/json' })).status, 400);
    assert.equal(agent.automation.currentDialog, null);
    assert.deepEqual(await post(JSON.stringify({ message: 'Code:\n@rp.example #ABC123' }), { 'content-type': 'application/json' }), { status: 202, body: '{"waiting":1}' });
    await agent.automation.waitForDialog({ type: 'OtpConsent' });
    agent.automation.clickDialogButton('OtpConsentAllow');
    assert.equal(((await p) as OTPCredential).code, 'ABC123');
  });

  it('listens on loopback only', async () => {
    agent = createAgent();
    await assert.rejects(agent.sms.listen({ host: '0.0.0.0' as never }), TypeError);
    assert.throws(() => agent!.sms.receive(42 as never), TypeError);
  });
});

