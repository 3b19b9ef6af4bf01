// PasswordCredential (Credential Management §3): construction from data and from forms, [[Store]]
// with the save prompt, retrieval with and without mediation through the credential chooser,
// framed and opaque documents (WPT passwordcredential-framed-get, origin-bound-opaque-origin),
// and persistence across agents sharing a profile.

import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { createAgent, MemoryProfile, PasswordCredential, type Agent, type Dialog, type Frame } from '../../../src/agent/index.js';
import { startWorld, type World } from '../../helpers/world.js';
import { errorName, offlinePage, rejection, tick, wptForm } from './helpers.js';

const RP = 'https://rp.example';

describe('new PasswordCredential(data)', () => {
  let agent: Agent;
  let page: Frame;
  before(async () => ({ agent, page } = await offlinePage()));
  after(() => agent.close());
  const make = (data: unknown): PasswordCredential => new page.PasswordCredential!(data as never);

  it('copies id, password, name and iconURL; name and iconURL default to ""', () => {
    const c = make({ id: 'alice', password: 'pw', name: 'Alice', iconURL: 'https://rp.example/a.png' });
    assert.deepEqual([c.id, c.type, c.password, c.name, c.iconURL], ['alice', 'password', 'pw', 'Alice', 'https://rp.example/a.png']);
    const d = make({ id: 'bob', password: 'pw' });
    assert.deepEqual([d.name, d.iconURL], ['', '']);
    assert.ok(c instanceof PasswordCredential);
    assert.ok(c instanceof page.PasswordCredential!);
    assert.equal(Object.getPrototypeOf(c), page.PasswordCredential!.prototype);
  });

  it('throws TypeError for missing or empty id and password, and for non-dictionaries', () => {
    for (const data of [{ password: 'pw' }, { id: 'a' }, { id: '', password: 'pw' }, { id: 'a', password: '' }, null, undefined, 'alice', 42]) {
      assert.throws(() => make(data), TypeError, JSON.stringify(data));
    }
    assert.throws(() => new (page.PasswordCredential as unknown as new () => unknown)(), { name: 'TypeError', message: "Failed to construct 'PasswordCredential': 1 argument required, but only 0 present." });
    assert.throws(() => make({ id: 'a', password: '' }), { name: 'TypeError', message: "Failed to construct 'PasswordCredential': 'password' must not be empty." });
  });

  it('checks origin and iconURL', () => {
    assert.throws(() => make({ id: 'a', password: 'b', origin: '' }), TypeError);
    assert.throws(() => make({ id: 'a', password: 'b', origin: 'not a url' }), TypeError);
    assert.throws(() => make({ id: 'a', password: 'b', origin: 'data:text/plain,x' }), TypeError);
    assert.throws(() => make({ id: 'a', password: 'b', iconURL: 'not a url' }), TypeError);
    assert.doesNotThrow(() => make({ id: 'a', password: 'b', origin: 'https://rp.example/path' }));
  });

  it('converts members in IDL order (id first, then by name) and lets getter exceptions through', () => {
    const read: string[] = [];
    const data = new Proxy({ id: 'a', password: 'b', name: 'n', iconURL: '', origin: RP }, {
      get(t, k, r) {
        if (typeof k === 'string') read.push(k);
        return Reflect.get(t, k, r);
      },
    });
    make(data);
    assert.deepEqual(read, ['id', 'iconURL', 'name', 'origin', 'password']);
    const boom = new Error('boom');
    assert.throws(
      () =>
        make({
          id: 'a',
          get password(): never {
            throw boom;
          },
        }),
      (e) => e === boom,
    );
    assert.throws(() => make({ id: Symbol('a'), password: 'b' }), TypeError);
    // USVString: lone surrogates become U+FFFD.
    assert.equal(make({ id: 'a\uD800b', password: 'p' }).id, 'a\uFFFDb');
    // Objects are stringified as IDL does.
    assert.equal(make({ id: { toString: () => 'obj' }, password: 1234 }).password, '1234');
  });

  it('accepts huge values (the spec has no limit) and keeps them intact', () => {
    const big = 'x'.repeat(1 << 20);
    const c = make({ id: big, password: big });
    assert.equal(c.id.length, 1 << 20);
    assert.equal(c.password.length, 1 << 20);
  });

  it('never shows the password in JSON or util.inspect', () => {
    const c = make({ id: 'alice', password: 'hunter2' });
    assert.equal(JSON.stringify(c), '{"id":"alice","type":"password"}');
    assert.doesNotMatch(inspect(c), /hunter2/);
    assert.match(inspect(c), /password: '<redacted>'/);
  });
});

describe('PasswordCredential from a form (§3.3.4)', () => {
  let w: World;
  before(async () => {
    w = await startWorld();
    w.rp.page(
      '/signin',
      `<!doctype html><title>Sign in</title>
       <form id="login" action="/login" method="post">
         <input name="user" autocomplete="section-main USERNAME" value="jdoe">
         <input type="password" name="old" autocomplete="current-password" value="old-secret">
         <input type="password" name="new" autocomplete="new-password" value="new-secret">
         <input name="nick" autocomplete="nickname" value="Johnny">
         <input type="file" name="avatar" autocomplete="photo">
         <input name="noauto" value="ignored">
         <input autocomplete="name" value="no name attribute">
         <input name="off" autocomplete="name" value="disabled" disabled>
       </form>
       <form id="search"><input name="q"></form>
       <input form="login" name="outside" autocomplete="photo" value="https://rp.example/me.png">`,
    );
  });
  after(() => w.close());

  it('reads the forms of the loaded page', async () => {
    const page = await w.agent.open(w.rp.url('/signin'));
    assert.deepEqual(
      page.forms().map((f) => f.id),
      ['login', 'search'],
    );
    const c = new page.PasswordCredential!(page.forms()[0]!);
    // new-password wins over current-password; nickname fills name; the file field is skipped
    // and the associated field outside the form gives the photo.
    assert.deepEqual([c.id, c.password, c.name, c.iconURL], ['jdoe', 'new-secret', 'Johnny', 'https://rp.example/me.png']);
    const created = (await page.navigator.credentials!.create({ password: page.forms()[0] })) as PasswordCredential;
    assert.deepEqual([created.id, created.password], ['jdoe', 'new-secret']);
  });

  it('new-password wins whatever the order; a form without a password is a TypeError', async () => {
    const { agent, page } = await offlinePage();
    try {
      const f = page.document.createElement('form');
      f.innerHTML =
        '<input name="n" autocomplete="new-password" value="NEW"><input name="u" autocomplete="username" value="u"><input name="c" autocomplete="current-password" value="CUR">';
      assert.equal(new page.PasswordCredential!(f).password, 'NEW');
      const nopw = page.document.createElement('form');
      nopw.innerHTML = '<input name="u" autocomplete="username" value="u">';
      assert.throws(() => new page.PasswordCredential!(nopw), {
        name: 'TypeError',
        message: "Either 'current-password' or 'new-password' must be specified in the form's autocomplete attribute.",
      });
      const noid = page.document.createElement('form');
      noid.innerHTML = '<input name="p" autocomplete="current-password" value="x">';
      assert.throws(() => new page.PasswordCredential!(noid), { name: 'TypeError', message: "'username' must be specified in the form's autocomplete attribute." });
      assert.equal(((await rejection(page.navigator.credentials!.create({ password: nopw }))) as Error).constructor, TypeError);
      // The WPT form, built with the page's DOM.
      const c = new page.PasswordCredential!(wptForm(page));
      assert.deepEqual([c.id, c.name, c.iconURL, c.password], ['musterman', 'friendly name', 'https://example.com/photo', 'sekrit']);
    } finally {
      await agent.close();
    }
  });
});

describe('store() and get() for passwords', () => {
  let agent: Agent;
  let page: Frame;
  const dialogs: Dialog[] = [];
  beforeEach(async () => {
    ({ agent, page } = await offlinePage());
    agent.on('dialogShown', (d) => dialogs.push(d));
  });
  afterEach(async () => {
    // Passwords are secrets: no dialog and no diagnostic ever carries one.
    const seen = JSON.stringify([dialogs, agent.diagnostics]);
    assert.doesNotMatch(seen, /s3cret|n3w-s3cret/);
    dialogs.length = 0;
    await agent.close();
  });

  it('asks before saving: "save", then "update" only when something changed', async () => {
    const credentials = page.navigator.credentials!;
    const p = credentials.store(new page.PasswordCredential!({ id: 'alice', password: 's3cret', name: 'Alice' }));
    const dialog = await agent.automation.waitForDialog({ type: 'SaveCredential' });
    assert.deepEqual(
      { ...dialog, dialogId: undefined },
      {
        dialogType: 'SaveCredential',
        title: 'Save password for rp.example?',
        accounts: [],
        origin: RP,
        action: 'save',
        credential: { type: 'password', id: 'alice', name: 'Alice', iconURL: '' },
        dialogId: undefined,
      },
    );
    agent.automation.selectAccount(0);
    assert.equal(await p, undefined);
    assert.deepEqual(agent.profile.storedCredentials(RP), [{ type: 'password', origin: RP, id: 'alice', password: 's3cret', name: 'Alice', iconURL: '' }]);

    // The same credential again: nothing to ask.
    await credentials.store(new page.PasswordCredential!({ id: 'alice', password: 's3cret', name: 'Alice' }));
    assert.equal(dialogs.length, 1);

    // A new password: "update", refused, then granted.
    const refused = credentials.store(new page.PasswordCredential!({ id: 'alice', password: 'n3w-s3cret', name: 'Alice' }));
    assert.equal((await agent.automation.waitForDialog({ type: 'SaveCredential' })).action, 'update');
    agent.automation.cancelDialog();
    assert.equal(await refused, undefined);
    assert.deepEqual(
      agent.profile.storedCredentials(RP).map((c) => (c.type === 'password' ? c.password : '')),
      ['s3cret'],
    );
    const granted = credentials.store(new page.PasswordCredential!({ id: 'alice', password: 'n3w-s3cret', name: 'A.' }));
    await agent.automation.waitForDialog({ type: 'SaveCredential' });
    agent.automation.clickDialogButton('SaveCredentialConfirm');
    await granted;
    assert.deepEqual(agent.profile.storedCredentials(RP), [{ type: 'password', origin: RP, id: 'alice', password: 'n3w-s3cret', name: 'A.', iconURL: '' }]);
  });

  it('refuses insecure icons and credentials of another origin with SecurityError', async () => {
    const credentials = page.navigator.credentials!;
    const e = (await rejection(credentials.store(new page.PasswordCredential!({ id: 'a', password: 'b', iconURL: 'http://rp.example/a.png' })))) as DOMException;
    assert.deepEqual([e.name, e.message], ['SecurityError', "'iconURL' should be a secure URL"]);
    const foreign = new page.PasswordCredential!({ id: 'a', password: 'b', origin: 'https://bank.example' });
    assert.equal(await errorName(credentials.store(foreign)), 'SecurityError');
    // A same-origin credential made in another frame is fine.
    const frame = await page.openFrame('https://rp.example/frame', { load: false });
    const p = credentials.store(new frame.PasswordCredential!({ id: 'a', password: 'b', iconURL: 'http://localhost/a.png' }));
    await agent.automation.waitForDialog({ type: 'SaveCredential' });
    agent.automation.cancelDialog();
    assert.equal(await p, undefined);
    assert.equal(dialogs.length, 1);
  });

  it('mediates by default: silent gives null, optional shows the chooser (§2.1: the flag defaults to true)', async () => {
    agent.profile.putStoredCredential({ type: 'password', origin: RP, id: 'alice', password: 's3cret', name: 'Alice', iconURL: 'https://rp.example/a.png' });
    const credentials = page.navigator.credentials!;
    assert.equal(await credentials.get({ password: true, mediation: 'silent' }), null);
    assert.equal(dialogs.length, 0);

    const p = credentials.get({ password: true });
    const chooser = await agent.automation.waitForDialog({ type: 'CredentialChooser' });
    assert.deepEqual(chooser.credentials, [{ type: 'password', id: 'alice', name: 'Alice', iconURL: 'https://rp.example/a.png' }]);
    assert.deepEqual([chooser.origin, chooser.title, chooser.accounts], [RP, 'Sign in to rp.example', []]);
    assert.deepEqual(agent.automation.getAccountList(), []);
    agent.automation.selectAccount(0);
    const c = (await p) as PasswordCredential;
    assert.ok(c instanceof PasswordCredential);
    assert.deepEqual([c.id, c.password, c.name], ['alice', 's3cret', 'Alice']);

    const cancelled = credentials.get({ password: true });
    await agent.automation.waitForDialog({ type: 'CredentialChooser' });
    agent.automation.cancelDialog();
    assert.equal(await cancelled, null);
  });

  it('"stay signed in" lets a single credential through without the chooser until preventSilentAccess()', async () => {
    agent.profile.putStoredCredential({ type: 'password', origin: RP, id: 'alice', password: 's3cret', name: '', iconURL: '' });
    const credentials = page.navigator.credentials!;
    const first = credentials.get({ password: true });
    await agent.automation.waitForDialog({ type: 'CredentialChooser' });
    agent.automation.selectAccount(0, { staySignedIn: true });
    assert.equal(((await first) as PasswordCredential).id, 'alice');
    assert.equal(agent.profile.silentAccessAllowed(RP), true);

    const silent = (await credentials.get({ password: true, mediation: 'silent' })) as PasswordCredential;
    assert.equal(silent.password, 's3cret');
    assert.equal(((await credentials.get({ password: true })) as PasswordCredential).id, 'alice');
    assert.equal(agent.diagnostics.at(-1)?.reason, 'CredentialProvided');
    assert.equal(dialogs.length, 1);

    // "required" always asks and leaves the flag alone.
    const required = credentials.get({ password: true, mediation: 'required' });
    await agent.automation.waitForDialog({ type: 'CredentialChooser' });
    agent.automation.selectAccount(0);
    await required;
    assert.ok(await credentials.get({ password: true, mediation: 'silent' }));

    // Sign-out: the chooser comes back; picking a credential there is mediation again.
    await credentials.preventSilentAccess();
    assert.equal(await credentials.get({ password: true, mediation: 'silent' }), null);
    const again = credentials.get({ password: true });
    await agent.automation.waitForDialog({ type: 'CredentialChooser' });
    agent.automation.selectAccount(0);
    await again;
    assert.ok(await credentials.get({ password: true, mediation: 'silent' }));

    // Two credentials always need the chooser.
    agent.profile.putStoredCredential({ type: 'password', origin: RP, id: 'bob', password: 'x', name: '', iconURL: '' });
    assert.equal(await credentials.get({ password: true, mediation: 'silent' }), null);
  });

  it('lists only this exact origin, password and federated together in one chooser', async () => {
    agent.profile.putStoredCredential({ type: 'password', origin: RP, id: 'alice', password: 's3cret', name: '', iconURL: '' });
    agent.profile.putStoredCredential({ type: 'federated', origin: RP, id: 'alice@idp', provider: 'https://idp.example', protocol: null, name: '', iconURL: '' });
    agent.profile.putStoredCredential({ type: 'password', origin: 'http://rp.example', id: 'downgrade', password: 'x', name: '', iconURL: '' });
    agent.profile.putStoredCredential({ type: 'password', origin: 'https://www.rp.example', id: 'sibling', password: 'x', name: '', iconURL: '' });
    const credentials = page.navigator.credentials!;
    const p = credentials.get({ password: true, federated: { providers: ['https://idp.example/'] } });
    const chooser = await agent.automation.waitForDialog({ type: 'CredentialChooser' });
    // §2.5.1 collects per relevant interface, in member order: federated, then password.
    assert.deepEqual(chooser.credentials, [
      { type: 'federated', id: 'alice@idp', name: '', iconURL: '', provider: 'https://idp.example', protocol: null },
      { type: 'password', id: 'alice', name: '', iconURL: '' },
    ]);
    assert.throws(() => agent.automation.selectAccount(2), { name: 'AutomationError' });
    agent.automation.selectAccount(0);
    assert.equal(((await p) as { type: string }).type, 'federated');
    // Only the password when only passwords are asked for.
    const only = credentials.get({ password: true });
    assert.equal((await agent.automation.waitForDialog({ type: 'CredentialChooser' })).credentials.length, 1);
    agent.automation.cancelDialog();
    await only;
  });

  it('resolves null without a chooser when nothing is stored, and aborts an open chooser with the reason', async () => {
    const credentials = page.navigator.credentials!;
    assert.equal(await credentials.get({ password: true }), null);
    assert.equal(dialogs.length, 0);
    agent.profile.putStoredCredential({ type: 'password', origin: RP, id: 'alice', password: 's3cret', name: '', iconURL: '' });
    const c = new AbortController();
    const p = credentials.get({ password: true, signal: c.signal });
    await agent.automation.waitForDialog({ type: 'CredentialChooser' });
    const reason = new Error('navigated away');
    c.abort(reason);
    assert.equal(await rejection(p), reason);
    assert.equal(agent.automation.currentDialog, null);
  });

  it('persists in the profile: a second agent sharing it gets the credential', async () => {
    const profile = new MemoryProfile();
    const first = createAgent({ profile });
    const second = createAgent({ profile });
    try {
      const page1 = await first.open('https://rp.example/', { load: false });
      const stored = page1.navigator.credentials!.store(new page1.PasswordCredential!({ id: 'alice', password: 's3cret' }));
      await first.automation.waitForDialog({ type: 'SaveCredential' });
      first.automation.clickDialogButton('SaveCredentialConfirm');
      await stored;
      const got = page1.navigator.credentials!.get({ password: true });
      await first.automation.waitForDialog({ type: 'CredentialChooser' });
      first.automation.selectAccount(0, { staySignedIn: true });
      await got;

      const page2 = await second.open('https://rp.example/account', { load: false });
      const c = (await page2.navigator.credentials!.get({ password: true, mediation: 'silent' })) as PasswordCredential;
      assert.deepEqual([c.id, c.password], ['alice', 's3cret']);
      assert.equal(await (await second.open('https://other.example/', { load: false })).navigator.credentials!.get({ password: true }), null);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('framed and opaque documents (WPT passwordcredential-framed-get, origin-bound-opaque-origin)', () => {
  let agent: Agent;
  let page: Frame;
  before(async () => {
    ({ agent, page } = await offlinePage());
    agent.profile.putStoredCredential({ type: 'password', origin: RP, id: 'alice', password: 's3cret', name: '', iconURL: '' });
    agent.profile.putStoredCredential({ type: 'password', origin: 'https://other.example', id: 'eve', password: 'x', name: '', iconURL: '' });
    agent.profile.setSilentAccessAllowed(RP, true);
    agent.profile.setSilentAccessAllowed('https://other.example', true);
  });
  after(() => agent.close());

  it('works in a same-origin iframe', async () => {
    const frame = await page.openFrame('https://rp.example/frame', { load: false });
    assert.equal(((await frame.navigator.credentials!.get({ password: true })) as PasswordCredential).id, 'alice');
  });

  it('rejects get() and store() in a cross-origin iframe, at any depth, with NotAllowedError', async () => {
    const cross = await page.openFrame('https://other.example/', { load: false });
    const inner = await cross.openFrame('https://rp.example/inner', { load: false });
    for (const frame of [cross, inner]) {
      const e = (await rejection(frame.navigator.credentials!.get({ password: true }))) as DOMException;
      assert.equal(e.name, 'NotAllowedError');
      assert.match(e.message, /same-origin with all of its ancestors/);
      assert.equal(await errorName(frame.navigator.credentials!.get({ federated: { providers: ['https://example.com'] } })), 'NotAllowedError');
      assert.equal(await errorName(frame.navigator.credentials!.store(new frame.PasswordCredential!({ id: 'a', password: 'b' }))), 'NotAllowedError');
      // [[Create]] does not look at the ancestors.
      assert.ok((await frame.navigator.credentials!.create({ password: { id: 'a', password: 'b' } })) instanceof PasswordCredential);
    }
    assert.equal(agent.diagnostics.at(-1)?.reason, 'CredentialRequestRejected');
  });

  it('rejects get(), create() and store() from an opaque origin with SecurityError, yet constructs', async () => {
    const sandboxed = await page.openFrame('https://rp.example/sandboxed', { sandbox: true, load: false });
    assert.equal(sandboxed.origin, 'null');
    const credential = new sandboxed.PasswordCredential!({ id: 'id', password: 'pencil' });
    const credentials = sandboxed.navigator.credentials!;
    assert.equal(await errorName(credentials.get({ password: true })), 'SecurityError');
    assert.equal(await errorName(credentials.create({ password: { id: 'id', password: 'pencil' } })), 'SecurityError');
    assert.equal(await errorName(credentials.store(credential)), 'SecurityError');
    assert.equal(await errorName(credentials.get({ federated: {} })), 'SecurityError');
    // Not sandboxed (as allow-same-origin keeps the origin): not rejected as opaque.
    const normal = await page.openFrame('https://rp.example/normal', { load: false });
    assert.ok(await normal.navigator.credentials!.get({ password: true }));
    await tick();
  });
});
