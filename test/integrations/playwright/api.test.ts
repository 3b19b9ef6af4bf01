// fedkit/playwright without a browser: the wire codec both realms share, the mapping of the
// DevTools FedCm events to fedkit's Dialog shapes, and installFedCM's options, which are typed
// precisely (the @ts-expect-error lines fail the build if a misspelt member were accepted).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { createAgent, type Agent } from '../../../src/agent/index.js';
import { dialogFromDevTools, installFedCM } from '../../../src/integrations/playwright/index.js';
import { fromWire, toWire } from '../../../src/integrations/playwright/wire.js';
import { initScriptSource } from '../../../src/integrations/playwright/page-script.js';

/** Never called: these lines only have to compile (or, marked, not to). */
export function optionTypes(context: BrowserContext, agent: Agent): void {
  void installFedCM(context);
  void installFedCM(context, { hostRules: 'MAP *.example:443 127.0.0.1:8443', ca: '…', drawDialog: false, rejectionDelay: false });
  void installFedCM(context, { native: true });
  void installFedCM(context, { agent, drawDialog: true });
  // The agent's own requests (FedCM endpoints) in-process; the browser still loads the pages.
  void installFedCM(context, { handlers: { 'https://idp.example': () => new Response('') }, hostRules: 'MAP *.example:443 127.0.0.1:8443' });
  // @ts-expect-error a handlers key is an http(s) origin
  void installFedCM(context, { handlers: { 'idp.example': () => new Response('') } });
  // @ts-expect-error a misspelt member is a type error
  void installFedCM(context, { hostRule: 'MAP *.example:443 127.0.0.1:8443' });
  // @ts-expect-error native mode takes no agent options
  void installFedCM(context, { native: true, hostRules: 'x' });
  // @ts-expect-error the context provides the cookie store
  void installFedCM(context, { cookieStore: agent.cookies.jar.store });
  // @ts-expect-error an existing agent has its options already
  void installFedCM(context, { agent, hostRules: 'x' });
}

describe('fedkit/playwright wire codec', () => {
  it('round-trips what JSON cannot carry: undefined, NaN, -0, bigints, ArrayBuffers and views', () => {
    const value = {
      a: undefined,
      n: [NaN, Infinity, -Infinity, -0, 1.5],
      big: 12345678901234567890n,
      buffer: new Uint8Array([1, 2, 3]).buffer,
      view: new Uint16Array([65535, 1]),
      data: new DataView(new Uint8Array([9]).buffer),
      nested: { $fedkit: 'not a tag', list: [null, true, 'x'] },
    };
    const wire = JSON.parse(JSON.stringify(toWire(value)));
    const back = fromWire(wire) as typeof value;
    assert.ok('a' in back && back.a === undefined);
    assert.ok(Number.isNaN(back.n[0]) && back.n[1] === Infinity && back.n[2] === -Infinity && Object.is(back.n[3], -0) && back.n[4] === 1.5);
    assert.equal(back.big, value.big);
    assert.ok(back.buffer instanceof ArrayBuffer);
    assert.deepEqual([...new Uint8Array(back.buffer)], [1, 2, 3]);
    assert.ok(back.view instanceof Uint16Array);
    assert.deepEqual([...back.view], [65535, 1]);
    assert.ok(back.data instanceof DataView && back.data.getUint8(0) === 9);
    assert.deepEqual(back.nested, value.nested, 'data named like the tag stays data');
  });

  it('reads dictionaries as WebIDL does (inherited members too) and refuses cycles', () => {
    const proto = { inherited: 1 };
    const options = Object.create(proto) as { own?: number };
    options.own = 2;
    assert.deepEqual(fromWire(toWire(options)), { own: 2, inherited: 1 });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    assert.throws(() => toWire(cyclic), TypeError);
    assert.deepEqual(fromWire(toWire(new Map([[1, 2]]))), {}, 'other objects read as empty dictionaries');
  });

  it('gives unknown tags to the realm’s reviver', () => {
    assert.equal(fromWire({ $fedkit: 'credential', interface: 'X' }, (t) => `revived ${t.$fedkit}`), 'revived credential');
    assert.throws(() => fromWire({ $fedkit: 'credential' }), TypeError);
  });

  it('builds an init script that parses', () => {
    assert.doesNotThrow(() => new Function(initScriptSource({ binding: 'b', key: 'k' }, true)));
    assert.doesNotThrow(() => new Function(initScriptSource({ binding: 'b', key: 'k' }, false)));
  });
});

describe('native mode: DevTools FedCm.dialogShown as fedkit’s Dialog', () => {
  const account = { accountId: '1', email: 'a@idp.example', name: 'A', givenName: 'A', pictureUrl: '', idpConfigUrl: 'https://idp.example/config.json', idpLoginUrl: 'https://idp.example/login', loginState: 'SignUp' as const };
  it('keeps what DevTools reports and fills the rest as Chromium fills missing values', () => {
    assert.deepEqual(dialogFromDevTools({ dialogId: '3', dialogType: 'AccountChooser', accounts: [account], title: 'Sign in', subtitle: 'on rp.example' }), {
      dialogId: '3',
      dialogType: 'AccountChooser',
      title: 'Sign in',
      subtitle: 'on rp.example',
      accounts: [account],
      useOtherAccount: false,
    });
    assert.deepEqual(dialogFromDevTools({ dialogId: '4', dialogType: 'Error', accounts: [], title: 'Error' }), { dialogId: '4', dialogType: 'Error', title: 'Error', accounts: [], error: '', url: '' });
  });
});

describe('installFedCM with an agent of one’s own', () => {
  it('refuses an agent that does not use the context’s cookies and windows', async () => {
    const agent = createAgent();
    try {
      await assert.rejects(installFedCM({} as BrowserContext, { agent }), TypeError);
    } finally {
      await agent.close();
    }
  });
});
