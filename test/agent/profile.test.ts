// The SQLite profile (issue 3, "The profile"): every kind of state survives a reopen and a second
// process; cookies are stored by a tough-cookie Store that behaves as MemoryCookieStore does;
// the file is private; a file that is not a fedkit profile is refused and left byte for byte as
// it was; processes share a profile safely; a version 1 file (from before WebAuthn) migrates to
// version 2 in place, keeping its data; and a returning user is signed in automatically by a
// second agent (in a second process) that shares the profile file.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { CookieJar, MemoryCookieStore } from 'tough-cookie';
import type { Cookie, Store } from 'tough-cookie';
import { createAgent, IdentityCredential, MemoryProfile, MemoryWebAuthnStore, type Profile, type StoredAuthenticator, type WebAuthnStore, type WebAuthnStoredCredential } from '../../src/agent/index.js';
import { Cookies } from '../../src/agent/net/cookies.js';
import { SqliteCookieStore } from '../../src/agent/profile/sqlite-cookie-store.js';
import { PROFILE_APPLICATION_ID, ProfileError } from '../../src/agent/profile/sqlite-file.js';
import { PROFILE_SCHEMA_VERSION } from '../../src/agent/profile/sqlite-migrations.js';
import { SqliteProfile } from '../../src/agent/profile/sqlite-profile.js';
import { startWorld } from '../helpers/world.js';

/** The compiled modules a child process imports (this file runs as dist/test/agent/profile.test.js). */
const AGENT_MODULE = new URL('../../src/agent/index.js', import.meta.url).href;
const SQLITE_MODULE = new URL('../../src/agent/profile/sqlite-profile.js', import.meta.url).href;

const CHILD_TIMEOUT_MS = 30_000;

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an ES module script in a new Node process; `input` reaches it as JSON in FEDKIT_TEST_INPUT. */
function runNode(script: string, input: unknown): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, FEDKIT_TEST_INPUT: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child process timed out after ${CHILD_TIMEOUT_MS} ms\n${stderr}`));
    }, CHILD_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like runNode, but the child must succeed; returns its last stdout line parsed as JSON. */
async function runNodeJson(script: string, input: unknown): Promise<unknown> {
  const r = await runNode(script, input);
  assert.equal(r.code, 0, `child process failed (exit ${r.code})\n${r.stderr}`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last);
}

/** Everything a Profile keeps, read back through the interface (for comparing two profiles). */
function snapshot(p: Profile): unknown {
  const triples = [
    { embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example' },
    { embedder: 'https://top.example', rp: 'https://rp.example', idp: 'https://idp.example' },
    { embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://other-idp.example' },
  ];
  const origins = ['https://idp.example', 'https://other-idp.example', 'https://rp.example', 'https://top.example', 'https://never.example'];
  const sites = ['https://rp.example', 'https://top.example', 'https://never.example'];
  return {
    loginStatus: origins.map((o) => p.getLoginStatus(o) ?? null),
    connections: triples.map((t) => p.connections(t)),
    preventSilentAccess: origins.map((o) => p.preventsSilentAccess(o)),
    embargo: sites.map((s) => p.getDismissEmbargo(s) ?? null),
    autoReauthn: sites.map((s) => p.getLastAutoReauthn(s) ?? null),
    credentials: origins.map((o) => p.storedCredentials(o)),
    silentAccessAllowed: origins.map((o) => p.silentAccessAllowed(o)),
  };
}

/** A sequence of writes touching every kind of state, including updates and removals; returns removal counts. */
function writeEverything(p: Profile): number[] {
  const rp = { embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example' };
  const counts: number[] = [];
  p.setLoginStatus('https://idp.example', 'logged-in');
  p.setLoginStatus('https://other-idp.example', 'logged-in');
  p.setLoginStatus('https://other-idp.example', 'logged-out');
  p.addConnection({ ...rp, accountId: 'a', lastUsed: 1000 });
  p.addConnection({ ...rp, accountId: 'b', lastUsed: 2000 });
  p.addConnection({ ...rp, accountId: 'c', lastUsed: 3000 });
  // An update keeps the tuple's place (Map semantics in MemoryProfile).
  p.addConnection({ ...rp, accountId: 'a', lastUsed: 4000.5 });
  counts.push(p.removeConnections({ ...rp, accountId: 'b' }));
  counts.push(p.removeConnections({ ...rp, accountId: 'nobody' }));
  p.addConnection({ ...rp, accountId: 'b', lastUsed: 5000 });
  p.addConnection({ embedder: 'https://top.example', rp: 'https://rp.example', idp: 'https://idp.example', accountId: 'x', lastUsed: 1 });
  p.addConnection({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://other-idp.example', accountId: 'y', lastUsed: 2 });
  p.addConnection({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://other-idp.example', accountId: 'z', lastUsed: 3 });
  counts.push(p.removeConnections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://other-idp.example' }));
  p.setPreventSilentAccess('https://rp.example', true);
  p.setPreventSilentAccess('https://top.example', true);
  p.setPreventSilentAccess('https://top.example', true);
  p.setPreventSilentAccess('https://top.example', false);
  p.setDismissEmbargo('https://rp.example', { until: 1_767_232_800_000, count: 2 });
  p.setDismissEmbargo('https://top.example', { until: 5, count: 1 });
  p.setDismissEmbargo('https://top.example', undefined);
  p.setLastAutoReauthn('https://rp.example', 1_767_225_600_000);
  p.setLastAutoReauthn('https://top.example', 7);
  p.setLastAutoReauthn('https://top.example', undefined);
  p.putStoredCredential({ type: 'password', origin: 'https://rp.example', id: 'jane', password: 's3cret', name: 'Jane', iconURL: '' });
  p.putStoredCredential({ type: 'federated', origin: 'https://rp.example', id: 'jane', provider: 'https://idp.example', protocol: null, name: 'Jane', iconURL: 'https://rp.example/j.png' });
  p.putStoredCredential({ type: 'federated', origin: 'https://rp.example', id: 'john', provider: 'https://idp.example', protocol: 'openidconnect', name: '', iconURL: '' });
  p.putStoredCredential({ type: 'password', origin: 'https://rp.example', id: 'jane', password: 'n3w', name: 'Jane D.', iconURL: '' });
  counts.push(Number(p.deleteStoredCredential({ type: 'federated', origin: 'https://rp.example', id: 'john', provider: 'https://idp.example' })));
  counts.push(Number(p.deleteStoredCredential({ type: 'password', origin: 'https://rp.example', id: 'john' })));
  p.setSilentAccessAllowed('https://rp.example', true);
  p.setSilentAccessAllowed('https://top.example', true);
  p.setSilentAccessAllowed('https://top.example', false);
  return counts;
}

const mode = (path: string): number => statSync(path).mode & 0o777;

/**
 * Schema version 1 as fedkit 0.1 wrote it (before WebAuthn), by hand, so that this test keeps
 * checking the upgrade from what is on users' disks even if the code's entry were edited.
 */
const SCHEMA_V1 = `CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
   INSERT INTO meta (name, value) VALUES ('format', 'fedkit-profile');
   INSERT INTO meta (name, value) VALUES ('schema_version', '1');
   CREATE TABLE login_status (
     origin TEXT PRIMARY KEY,
     status TEXT NOT NULL CHECK (status IN ('logged-in', 'logged-out'))
   );
   CREATE TABLE connections (
     seq INTEGER PRIMARY KEY,
     embedder TEXT NOT NULL,
     rp TEXT NOT NULL,
     idp TEXT NOT NULL,
     account_id TEXT NOT NULL,
     last_used INTEGER NOT NULL,
     UNIQUE (embedder, rp, idp, account_id)
   );
   CREATE TABLE prevent_silent_access (origin TEXT PRIMARY KEY);
   CREATE TABLE dismiss_embargo (site TEXT PRIMARY KEY, until INTEGER NOT NULL, dismissals INTEGER NOT NULL);
   CREATE TABLE auto_reauthn (site TEXT PRIMARY KEY, at INTEGER NOT NULL);
   CREATE TABLE stored_credentials (
     seq INTEGER PRIMARY KEY,
     type TEXT NOT NULL CHECK (type IN ('password', 'federated')),
     origin TEXT NOT NULL,
     id TEXT NOT NULL,
     provider TEXT NOT NULL,
     protocol TEXT,
     password TEXT,
     name TEXT NOT NULL,
     icon_url TEXT NOT NULL,
     UNIQUE (type, origin, id, provider)
   );
   CREATE INDEX stored_credentials_by_origin ON stored_credentials (origin, seq);
   CREATE TABLE silent_access_allowed (origin TEXT PRIMARY KEY);
   CREATE TABLE cookies (
     seq INTEGER PRIMARY KEY,
     domain TEXT NOT NULL,
     path TEXT NOT NULL,
     name TEXT NOT NULL,
     cookie TEXT NOT NULL,
     UNIQUE (domain, path, name)
   );`;

/** Writes a version 1 profile with some of every kind of state (WAL mode and 0600, as fedkit 0.1 left it). */
async function writeV1Profile(path: string, extraSql = ''): Promise<void> {
  const db = new Database(path);
  try {
    db.pragma(`application_id = ${PROFILE_APPLICATION_ID}`);
    db.exec(SCHEMA_V1);
    db.exec(`
      INSERT INTO login_status (origin, status) VALUES ('https://idp.example', 'logged-in');
      INSERT INTO connections (embedder, rp, idp, account_id, last_used) VALUES ('https://rp.example', 'https://rp.example', 'https://idp.example', 'jane', 42);
      INSERT INTO prevent_silent_access (origin) VALUES ('https://top.example');
      INSERT INTO dismiss_embargo (site, until, dismissals) VALUES ('https://rp.example', 99, 3);
      INSERT INTO auto_reauthn (site, at) VALUES ('https://rp.example', 77);
      INSERT INTO stored_credentials (type, origin, id, provider, protocol, password, name, icon_url)
        VALUES ('password', 'https://rp.example', 'jane', '', NULL, 's3cret', 'Jane', '');
      INSERT INTO silent_access_allowed (origin) VALUES ('https://rp.example');
      ${extraSql}
    `);
    // The cookie, as fedkit 0.1's cookie store wrote it (the table did not change).
    await new Cookies({ store: new SqliteCookieStore(db) }).set('https://idp.example/', 'sid=abc; Secure; SameSite=None; Path=/');
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  chmodSync(path, 0o600);
}

/** The definitions of the database's tables and indexes, by name. */
function schemaOf(path: string): Map<string, string | null> {
  const db = new Database(path, { readonly: true });
  try {
    return new Map(db.prepare<[], { name: string; sql: string | null }>('SELECT name, sql FROM sqlite_schema ORDER BY name').all().map((r) => [r.name, r.sql]));
  } finally {
    db.close();
  }
}

function metaOf(path: string): Record<string, string> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(db.prepare<[], { name: string; value: string }>('SELECT name, value FROM meta').all().map((r) => [r.name, r.value]));
  } finally {
    db.close();
  }
}

describe('SQLite profile', { timeout: 120_000 }, () => {
  let dir: string;
  let n = 0;
  /** A fresh path in the test's temporary directory (no file yet). */
  const file = (name = 'profile'): string => join(dir, `${name}-${++n}.db`);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-profile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('state', () => {
    it('keeps every kind of state across two opens, exactly as MemoryProfile holds it', () => {
      const path = file();
      const memory = new MemoryProfile();
      const expectedCounts = writeEverything(memory);
      const first = SqliteProfile.open(path);
      assert.deepEqual(writeEverything(first), expectedCounts);
      assert.deepEqual(snapshot(first), snapshot(memory), 'while open');
      first.close();
      first.close(); // idempotent

      const second = SqliteProfile.open(path);
      try {
        assert.deepEqual(snapshot(second), snapshot(memory), 'after reopening');
        // Spot checks, so a failure in snapshot() itself cannot hide a bug.
        assert.equal(second.getLoginStatus('https://idp.example'), 'logged-in');
        assert.deepEqual(
          second.connections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example' }).map((c) => [c.accountId, c.lastUsed]),
          [['a', 4000.5], ['c', 3000], ['b', 5000]],
        );
        assert.deepEqual(second.getDismissEmbargo('https://rp.example'), { until: 1_767_232_800_000, count: 2 });
        assert.equal(second.getLastAutoReauthn('https://rp.example'), 1_767_225_600_000);
        assert.equal(second.preventsSilentAccess('https://rp.example'), true);
      } finally {
        second.close();
      }
    });

    it('marks the file as a fedkit profile: application_id in the header, format and schema version in meta', () => {
      const path = file();
      SqliteProfile.open(path).close();
      const header = readFileSync(path).subarray(0, 100);
      assert.equal(header.subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
      assert.equal(header.readUInt32BE(68), PROFILE_APPLICATION_ID);
      const db = new Database(path, { readonly: true });
      try {
        assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
        const meta = db.prepare<[], { name: string; value: string }>('SELECT name, value FROM meta ORDER BY name').all();
        assert.deepEqual(meta, [
          { name: 'format', value: 'fedkit-profile' },
          { name: 'schema_version', value: String(PROFILE_SCHEMA_VERSION) },
        ]);
      } finally {
        db.close();
      }
    });

    it('two profiles open on one file see each other’s writes at once', () => {
      const path = file();
      const a = SqliteProfile.open(path);
      const b = SqliteProfile.open(path);
      try {
        a.setLoginStatus('https://idp.example', 'logged-in');
        assert.equal(b.getLoginStatus('https://idp.example'), 'logged-in');
        b.setLoginStatus('https://idp.example', 'logged-out');
        assert.equal(a.getLoginStatus('https://idp.example'), 'logged-out');
      } finally {
        a.close();
        b.close();
      }
    });

    it('keeps state written by another process (createAgent with a profile path)', async () => {
      const path = file();
      const script = `
        import { createAgent } from ${JSON.stringify(AGENT_MODULE)};
        const { path } = JSON.parse(process.env.FEDKIT_TEST_INPUT);
        const agent = createAgent({ profile: path });
        agent.profile.setLoginStatus('https://idp.example', 'logged-in');
        agent.profile.addConnection({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example', accountId: 'jane', lastUsed: 42 });
        agent.profile.setPreventSilentAccess('https://rp.example', true);
        agent.profile.setDismissEmbargo('https://rp.example', { until: 99, count: 3 });
        agent.profile.setLastAutoReauthn('https://rp.example', 77);
        await agent.cookies.set('https://idp.example/', 'sid=abc; Secure; SameSite=None; Path=/');
        await agent.close();
        console.log(JSON.stringify({ ok: true }));
      `;
      assert.deepEqual(await runNodeJson(script, { path }), { ok: true });

      const p = SqliteProfile.open(path);
      try {
        assert.equal(p.getLoginStatus('https://idp.example'), 'logged-in');
        assert.deepEqual(p.connections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example' }), [
          { embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example', accountId: 'jane', lastUsed: 42 },
        ]);
        assert.equal(p.preventsSilentAccess('https://rp.example'), true);
        assert.deepEqual(p.getDismissEmbargo('https://rp.example'), { until: 99, count: 3 });
        assert.equal(p.getLastAutoReauthn('https://rp.example'), 77);
        const cookies = new Cookies({ store: p.cookieStore });
        const sent = await cookies.cookiesFor({ url: new URL('https://idp.example/fedcm/accounts'), method: 'GET', initiator: null });
        assert.equal(sent.header, 'sid=abc');
      } finally {
        p.close();
      }
    });

    it('a Profile object passed to createAgent stays the caller’s; its cookie store holds the cookies', async () => {
      const path = file();
      const p = SqliteProfile.open(path);
      try {
        const agent = createAgent({ profile: p });
        await agent.cookies.set('https://idp.example/', 'sid=1; Secure; SameSite=None');
        await agent.close();
        // Still open: the agent did not close what it did not open.
        assert.deepEqual((await new Cookies({ store: p.cookieStore }).list()).map((c) => c.name), ['sid']);
      } finally {
        p.close();
      }
    });
  });

  describe('cookies', () => {
    /** Jar options as Cookies uses them, so both stores see the same calls. */
    const jarOptions = { rejectPublicSuffixes: true, looseMode: true, allowSpecialUseDomain: true, allowSecureOnLocal: true } as const;

    const cookieSetup: [string, string][] = [
      ['https://idp.example/', 'sid=1; Secure; SameSite=None; Path=/'],
      ['https://idp.example/', 'host=1'],
      ['https://www.idp.example/account/page', 'deflt=1'],
      ['https://www.idp.example/', 'dom=1; Domain=idp.example; Path=/account'],
      ['https://a.b.idp.example/', 'deep=1; Domain=b.idp.example'],
      ['https://idp.example/', 'host=2'], // an update: keeps its creation order
      ['https://rp.example/x/y', 'p=1; Path=/x'],
      ['https://rp.example/', 'p=2; Path=/xy'],
      ['http://localhost:8080/', 'local=1'],
      ['https://idp.test/', 'test=1'],
      ['https://idp.example/', 'gone=1; Path=/tmp'],
    ];
    const probes = [
      'https://idp.example/',
      'https://idp.example/fedcm/accounts',
      'https://www.idp.example/account',
      'https://www.idp.example/account/page/x',
      'https://www.idp.example/accounts',
      'https://a.b.idp.example/',
      'https://b.idp.example/',
      'https://rp.example/x',
      'https://rp.example/x/',
      'https://rp.example/xy',
      'https://rp.example/xyz',
      'http://localhost:8080/',
      'https://idp.test/',
      'http://idp.example/',
    ];

    async function fill(store: Store): Promise<CookieJar> {
      const jar = new CookieJar(store, jarOptions);
      for (const [url, line] of cookieSetup) await jar.setCookie(line, url);
      await jar.store.removeCookie('idp.example', '/tmp', 'gone');
      return jar;
    }

    const show = (cookies: Cookie[]): string[] => cookies.map((c) => `${c.domain ?? ''} ${c.path ?? ''} ${c.key}=${c.value} hostOnly=${String(c.hostOnly)}`);

    it('matches MemoryCookieStore: getCookies for every URL, findCookies, getAllCookies order', async () => {
      const p = SqliteProfile.open(file());
      try {
        const memory = await fill(new MemoryCookieStore());
        const sqlite = await fill(p.cookieStore);
        for (const url of probes) {
          assert.deepEqual(show(await sqlite.getCookies(url, { sort: true })), show(await memory.getCookies(url, { sort: true })), `getCookies ${url}`);
          assert.deepEqual(show(await sqlite.getCookies(url, { allPaths: true })), show(await memory.getCookies(url, { allPaths: true })), `allPaths ${url}`);
        }
        assert.deepEqual(show(await p.cookieStore.getAllCookies()), show(await memory.store.getAllCookies()), 'getAllCookies, in creation order');
        const sorted = (c: Cookie[]): string[] => show(c).sort();
        for (const [domain, path] of [['www.idp.example', '/account/page'], ['idp.example', null], ['a.b.idp.example', '/'], ['idp.test', '/'], ['localhost', '/'], ['', '/']] as const) {
          for (const special of [true, false]) {
            const mine = await p.cookieStore.findCookies(domain, path, special).then(sorted, (e: Error) => e.message);
            const theirs = await Promise.resolve()
              .then(() => memory.store.findCookies(domain, path, special))
              .then(sorted, (e: Error) => e.message);
            assert.deepEqual(mine, theirs, `findCookies(${domain}, ${String(path)}, ${String(special)})`);
          }
        }
        // The callback form, with the callback third: allowSpecialUseDomain = true, as in MemoryCookieStore.
        // (tough-cookie's types do not declare that form, hence the cast.)
        type CallbackThird = (domain: string, path: string, callback: (err: Error | null, cookies?: Cookie[]) => void) => void;
        const findCookies = p.cookieStore.findCookies.bind(p.cookieStore) as unknown as CallbackThird;
        const viaCallback = await new Promise<Cookie[]>((resolve, reject) => {
          findCookies('idp.test', '/', (err, cookies) => (err ? reject(err) : resolve(cookies ?? [])));
        });
        assert.deepEqual(show(viaCallback), ['idp.test / test=1 hostOnly=true']);
        assert.equal(await p.cookieStore.findCookie('idp.example', '/', 'host').then((c) => c?.value), '2');
        assert.equal(await p.cookieStore.findCookie(null, '/', 'host'), undefined);
      } finally {
        p.close();
      }
    });

    it('removes like MemoryCookieStore: one cookie, a path, a domain, everything', async () => {
      const p = SqliteProfile.open(file());
      try {
        const memory = await fill(new MemoryCookieStore());
        const sqlite = await fill(p.cookieStore);
        const same = async (what: string): Promise<void> =>
          assert.deepEqual(show(await p.cookieStore.getAllCookies()), show(await memory.store.getAllCookies()), what);
        for (const store of [memory.store, p.cookieStore]) await store.removeCookie('idp.example', '/', 'host');
        await same('removeCookie');
        for (const store of [memory.store, p.cookieStore]) await store.removeCookies('rp.example', '/x');
        await same('removeCookies with a path');
        for (const store of [memory.store, p.cookieStore]) await store.removeCookies('idp.example', null);
        await same('removeCookies without a path');
        await sqlite.removeAllCookies();
        await memory.removeAllCookies();
        await same('removeAllCookies');
        assert.deepEqual(await p.cookieStore.getAllCookies(), []);
      } finally {
        p.close();
      }
    });

    it('is synchronous: the jar’s *Sync API and Cookies.toJSON work over it', async () => {
      const p = SqliteProfile.open(file());
      try {
        assert.ok(p.cookieStore instanceof SqliteCookieStore);
        assert.equal(p.cookieStore.synchronous, true);
        const jar = new CookieJar(p.cookieStore, jarOptions);
        jar.setCookieSync('a=1; Secure', 'https://idp.example/');
        assert.deepEqual(show(jar.getCookiesSync('https://idp.example/')), ['idp.example / a=1 hostOnly=true']);
        const cookies = new Cookies({ store: p.cookieStore });
        const state = cookies.toJSON();
        assert.deepEqual(state.cookies.map((c) => c.key), ['a']);
        // And back: a state deserialized into a fresh store lands in the database.
        const q = SqliteProfile.open(file());
        try {
          Cookies.fromJSON(state, { store: q.cookieStore });
          assert.deepEqual((await new Cookies({ store: q.cookieStore }).list()).map((c) => c.name), ['a']);
        } finally {
          q.close();
        }
      } finally {
        p.close();
      }
    });

    it('persists cookies across opens, and does not return (or send) expired ones', async () => {
      const path = file();
      const t0 = Date.UTC(2026, 0, 1);
      let now = t0;
      const first = SqliteProfile.open(path);
      const a = new Cookies({ store: first.cookieStore, now: () => now });
      await a.set('https://idp.example/', 'short=1; Max-Age=60; Secure; SameSite=None');
      await a.set('https://idp.example/', 'long=1; Max-Age=86400; Secure; SameSite=None');
      await a.set('https://idp.example/', 'session=1; Secure; SameSite=None');
      first.close();

      now = t0 + 120_000;
      const second = SqliteProfile.open(path);
      try {
        const b = new Cookies({ store: second.cookieStore, now: () => now });
        assert.deepEqual((await b.list()).map((c) => c.name).sort(), ['long', 'session']);
        const sent = await b.cookiesFor({ url: new URL('https://idp.example/'), method: 'GET', initiator: null });
        assert.equal(sent.header, 'long=1; session=1');
        // Matching deleted the expired cookie from the file, as the memory store would.
        assert.deepEqual((await second.cookieStore.getAllCookies()).map((c) => c.key).sort(), ['long', 'session']);
        const long = (await b.list()).find((c) => c.name === 'long');
        assert.equal(long?.expires, t0 + 86_400_000);
      } finally {
        second.close();
      }
    });

    it('skips a row that is not a cookie instead of failing every request', async () => {
      const path = file();
      const p = SqliteProfile.open(path);
      try {
        await new Cookies({ store: p.cookieStore }).set('https://idp.example/', 'ok=1');
        const db = new Database(path);
        db.prepare("INSERT INTO cookies (domain, path, name, cookie) VALUES ('idp.example', '/', 'bad', 'not json')").run();
        db.close();
        assert.deepEqual((await new Cookies({ store: p.cookieStore }).list(new URL('https://idp.example/'))).map((c) => c.name), ['ok']);
      } finally {
        p.close();
      }
    });
  });

  describe('the file', () => {
    it('is created 0600, and so are its -wal and -shm files, whatever the umask', async () => {
      const path = file();
      const script = `
        import { SqliteProfile } from ${JSON.stringify(SQLITE_MODULE)};
        import { statSync } from 'node:fs';
        const { path } = JSON.parse(process.env.FEDKIT_TEST_INPUT);
        process.umask(0);
        const p = SqliteProfile.open(path);
        p.setLoginStatus('https://idp.example', 'logged-in');
        const modes = Object.fromEntries(['', '-wal', '-shm'].map((s) => [s || 'db', statSync(path + s).mode & 0o777]));
        p.close();
        console.log(JSON.stringify(modes));
      `;
      assert.deepEqual(await runNodeJson(script, { path }), { db: 0o600, '-wal': 0o600, '-shm': 0o600 });
      assert.equal(mode(path), 0o600);
    });

    it('runs with synchronous=FULL unless opened with synchronous: \'normal\'', () => {
      const path = file();
      // What SQLite reports for each connection (PRAGMA synchronous: 2 = FULL, 1 = NORMAL).
      const cases: [SqliteProfile, 'full' | 'normal'][] = [
        [SqliteProfile.open(path), 'full'],
        [SqliteProfile.open(path, { synchronous: 'full' }), 'full'],
        [SqliteProfile.open(path, { synchronous: 'normal' }), 'normal'],
      ];
      try {
        for (const [p, expected] of cases) assert.equal(p.synchronous, expected);
        // A WebAuthn write raises a 'normal' profile to FULL for itself only.
        const normal = cases[2]![0];
        normal.webauthnStore.putCredential({ authenticatorId: 'a', credentialId: 'AQID', rpId: 'rp.example', userHandle: null, userName: 'u', userDisplayName: 'U', isResidentCredential: true, algorithm: -7, privateKey: 'k', signCount: 1, backupEligibility: false, backupState: false, createdAt: 0 });
        assert.equal(normal.synchronous, 'normal');
      } finally {
        for (const [p] of cases) p.close();
      }
    });

    it('an empty existing file (mktemp) becomes the profile, made private', () => {
      const path = file();
      writeFileSync(path, '');
      chmodSync(path, 0o644);
      const p = SqliteProfile.open(path);
      try {
        p.setLoginStatus('https://idp.example', 'logged-in');
        assert.equal(mode(path), 0o600);
        for (const s of ['-wal', '-shm']) assert.equal(mode(path + s), 0o600, s);
      } finally {
        p.close();
      }
    });

    /** Asserts that opening `path` fails with `problem`, names the path, and leaves the file as it was. */
    function assertRefused(path: string, problem: string, message: RegExp, open: () => unknown = () => SqliteProfile.open(path)): ProfileError {
      const before = readFileSync(path);
      const beforeMode = mode(path);
      let caught: unknown;
      try {
        open();
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof ProfileError, `expected a ProfileError, got ${String(caught)}`);
      assert.equal(caught.name, 'ProfileError');
      assert.equal(caught.problem, problem);
      assert.equal(caught.path, path);
      assert.ok(caught.message.includes(JSON.stringify(path)), caught.message);
      assert.match(caught.message, message);
      assert.match(caught.message, /The file was not modified\.$/);
      assert.ok(readFileSync(path).equals(before), 'the file is byte for byte unchanged');
      assert.equal(mode(path), beforeMode, 'and keeps its mode');
      return caught;
    }

    it('refuses random bytes, and leaves them unchanged (also through createAgent)', () => {
      const path = file('random');
      writeFileSync(path, randomBytes(8192));
      assertRefused(path, 'not-sqlite', /not a SQLite database/);
      assertRefused(path, 'not-sqlite', /not a SQLite database/, () => createAgent({ profile: path }));
      assert.equal(existsSync(`${path}-wal`), false);
      assert.equal(existsSync(`${path}-journal`), false);
    });

    it('refuses a text file and a short file', () => {
      const text = file('text');
      writeFileSync(text, '{"cookies":[]}\n');
      assertRefused(text, 'not-sqlite', /not a SQLite database/);
      const short = file('short');
      writeFileSync(short, 'SQLite format 3\0');
      assertRefused(short, 'not-sqlite', /not a SQLite database/);
    });

    it('refuses another application’s SQLite database (a table `users`), leaving it unchanged', () => {
      const path = file('foreign');
      const db = new Database(path);
      db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('jane@example.com')");
      db.close();
      assertRefused(path, 'foreign', /SQLite database of another application \(application_id 0x00000000; fedkit profiles have 0x4665644b\)/);
      assert.equal(existsSync(`${path}-wal`), false);
      assert.equal(existsSync(`${path}-shm`), false);
    });

    it('refuses an empty SQLite database of another program (application_id set, no tables)', () => {
      const path = file('other-app');
      const db = new Database(path);
      db.pragma('application_id = 1234');
      db.close();
      assertRefused(path, 'foreign', /application_id 0x000004d2/);
    });

    it('refuses a database that borrows fedkit’s application_id without the meta marker', () => {
      const path = file('impostor');
      const db = new Database(path);
      db.pragma(`application_id = ${PROFILE_APPLICATION_ID}`);
      db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
      db.close();
      assertRefused(path, 'foreign', /no meta table/);
    });

    it('refuses a profile written by a newer schema version, leaving it unchanged', () => {
      const path = file('future');
      const p = SqliteProfile.open(path);
      p.setLoginStatus('https://idp.example', 'logged-in');
      p.close();
      const db = new Database(path);
      db.prepare("UPDATE meta SET value = '99' WHERE name = 'schema_version'").run();
      db.close();
      assertRefused(path, 'newer-schema', new RegExp(`schema version 99; this fedkit reads versions up to ${PROFILE_SCHEMA_VERSION}`));
      assertRefused(path, 'newer-schema', /newer fedkit/, () => createAgent({ profile: path }));
    });

    it('refuses a damaged profile (garbage after a valid header), leaving it unchanged', () => {
      const path = file('damaged');
      const p = SqliteProfile.open(path);
      for (let i = 0; i < 50; i++) p.setLoginStatus(`https://idp${i}.example`, 'logged-in');
      p.close();
      const bytes = readFileSync(path);
      randomBytes(bytes.length - 100).copy(bytes, 100);
      writeFileSync(path, bytes);
      assertRefused(path, 'corrupt', /damaged fedkit profile/);
    });

    it('refuses a directory; says so when the file cannot be created', () => {
      let caught: unknown;
      try {
        SqliteProfile.open(dir);
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof ProfileError && caught.problem === 'not-a-file', String(caught));
      try {
        SqliteProfile.open(join(dir, 'missing', 'profile.db'));
        assert.fail('expected a ProfileError');
      } catch (e) {
        assert.ok(e instanceof ProfileError && e.problem === 'unavailable', String(e));
        assert.match(e.message, /cannot be created/);
        assert.doesNotMatch(e.message, /not modified/);
      }
    });
  });

  describe('a version 1 profile (before WebAuthn)', () => {
    it('opens, migrates to version 2 in place, and keeps every kind of state', async () => {
      assert.equal(PROFILE_SCHEMA_VERSION, 2);
      const path = file('v1');
      await writeV1Profile(path);
      const v1Schema = schemaOf(path);
      assert.equal(metaOf(path)['schema_version'], '1');

      const p = SqliteProfile.open(path);
      try {
        assert.equal(p.getLoginStatus('https://idp.example'), 'logged-in');
        assert.deepEqual(p.connections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example' }), [
          { embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example', accountId: 'jane', lastUsed: 42 },
        ]);
        assert.equal(p.preventsSilentAccess('https://top.example'), true);
        assert.deepEqual(p.getDismissEmbargo('https://rp.example'), { until: 99, count: 3 });
        assert.equal(p.getLastAutoReauthn('https://rp.example'), 77);
        assert.deepEqual(p.storedCredentials('https://rp.example'), [{ type: 'password', origin: 'https://rp.example', id: 'jane', password: 's3cret', name: 'Jane', iconURL: '' }]);
        assert.equal(p.silentAccessAllowed('https://rp.example'), true);
        const sent = await new Cookies({ store: p.cookieStore }).cookiesFor({ url: new URL('https://idp.example/fedcm/accounts'), method: 'GET', initiator: null });
        assert.equal(sent.header, 'sid=abc');
        // The WebAuthn store is there, and empty.
        assert.deepEqual(p.webauthnStore.listAuthenticators(), []);
      } finally {
        p.close();
      }

      assert.deepEqual(metaOf(path), { format: 'fedkit-profile', schema_version: '2' });
      const v2Schema = schemaOf(path);
      // Version 1's tables are untouched; version 2 adds WebAuthn's.
      for (const [name, sql] of v1Schema) assert.equal(v2Schema.get(name), sql, name);
      assert.deepEqual(
        [...v2Schema.keys()].filter((name) => !v1Schema.has(name)),
        ['sqlite_autoindex_webauthn_authenticators_1', 'sqlite_autoindex_webauthn_credentials_1', 'webauthn_authenticators', 'webauthn_credentials', 'webauthn_credentials_by_authenticator'],
      );
      assert.equal(mode(path), 0o600);

      // An agent on the migrated file registers a passkey and signs in with it; a second agent finds it.
      const agent = createAgent({ profile: path });
      try {
        const page = await agent.open('https://rp.example/', { load: false });
        assert.equal(agent.profile.getLoginStatus('https://idp.example'), 'logged-in');
        const created = await page.navigator.credentials!.create({
          publicKey: {
            rp: { name: 'RP' },
            user: { id: new Uint8Array([1]), name: 'jane', displayName: 'Jane' },
            challenge: new Uint8Array(32),
            pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
            authenticatorSelection: { residentKey: 'required' },
          },
        });
        assert.equal(created?.type, 'public-key');
      } finally {
        await agent.close();
      }
      const second = createAgent({ profile: path });
      try {
        const page = await second.open('https://rp.example/', { load: false });
        const asserted = await page.navigator.credentials!.get({ publicKey: { challenge: new Uint8Array(32) } });
        assert.equal(asserted?.type, 'public-key');
        assert.deepEqual(
          second.webauthn.automation.getCredentials('platform').map((c) => [c.rpId, c.userName, c.signCount]),
          [['rp.example', 'jane', 2]],
        );
      } finally {
        await second.close();
      }
    });

    it('migrates in one transaction: a version 1 file that cannot take version 2 is refused and left unchanged', async () => {
      const path = file('v1-blocked');
      // A table where version 2 puts one: webauthn_authenticators is created, then
      // webauthn_credentials fails, and the transaction takes the first back.
      await writeV1Profile(path, 'CREATE TABLE webauthn_credentials (x);');
      const before = readFileSync(path);
      let caught: unknown;
      try {
        SqliteProfile.open(path);
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof ProfileError, String(caught));
      assert.equal(caught.problem, 'corrupt');
      assert.match(caught.message, /cannot be brought from schema version 1 to 2 \(table webauthn_credentials already exists\)\. The file was not modified\.$/);
      assert.ok(readFileSync(path).equals(before), 'the file is byte for byte unchanged');
      assert.equal(metaOf(path)['schema_version'], '1');
      assert.equal(schemaOf(path).has('webauthn_authenticators'), false);
    });

    it('several processes opening one version 1 profile at once all succeed; it is migrated once', async () => {
      const path = file('v1-race');
      await writeV1Profile(path);
      const script = `
        import { SqliteProfile } from ${JSON.stringify(SQLITE_MODULE)};
        const { path, worker } = JSON.parse(process.env.FEDKIT_TEST_INPUT);
        const p = SqliteProfile.open(path);
        p.webauthnStore.putAuthenticator({
          id: worker, protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: false, isUserConsenting: true,
          isUserVerified: false, extensions: [], defaultBackupEligibility: false, defaultBackupState: false,
          aaguid: '01020304050607080102030405060708', algorithms: [-7], attestation: 'packed', createdAt: 1,
        });
        const login = p.getLoginStatus('https://idp.example');
        p.close();
        console.log(JSON.stringify({ worker, login }));
      `;
      const workers = ['w0', 'w1', 'w2', 'w3'];
      const results = await Promise.all(workers.map((worker) => runNodeJson(script, { path, worker })));
      assert.deepEqual(results, workers.map((worker) => ({ worker, login: 'logged-in' })));
      assert.equal(metaOf(path)['schema_version'], '2');
      const p = SqliteProfile.open(path);
      try {
        assert.deepEqual(p.webauthnStore.listAuthenticators().map((a) => a.id).sort(), workers);
        assert.equal(p.storedCredentials('https://rp.example').length, 1);
      } finally {
        p.close();
      }
    });
  });

  describe('WebAuthn store', () => {
    const authenticator: StoredAuthenticator = {
      id: 'key-1',
      protocol: 'ctap2_1',
      transport: 'nfc',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserConsenting: false,
      isUserVerified: true,
      extensions: [],
      defaultBackupEligibility: true,
      defaultBackupState: false,
      aaguid: 'f8a011f38c0a4d15800617111f9edc7d',
      algorithms: [-8, -7],
      attestation: 'none',
      createdAt: 1_767_225_600_000,
    };
    const credential: WebAuthnStoredCredential = {
      authenticatorId: 'key-1',
      credentialId: 'AQID',
      rpId: 'rp.example',
      userHandle: 'BAU',
      userName: 'jane',
      userDisplayName: 'Jane Doe',
      isResidentCredential: true,
      algorithm: -7,
      privateKey: 'not-a-real-key',
      signCount: 7,
      backupEligibility: true,
      backupState: true,
      createdAt: 1_767_225_600_001.5,
    };

    it('round-trips authenticators and credentials exactly as MemoryWebAuthnStore does, across reopening', () => {
      const path = file('webauthn');
      const memory = new MemoryWebAuthnStore();
      const write = (store: WebAuthnStore): unknown[] => {
        store.putAuthenticator({ ...authenticator, extensions: [], algorithms: [-8, -7] });
        store.putAuthenticator({ ...authenticator, id: 'key-2', transport: 'internal', createdAt: 2, algorithms: [-257] });
        store.putAuthenticator({ ...authenticator, isUserVerified: false, extensions: [], algorithms: [-8, -7] }); // an update keeps key-1 first
        store.putCredential({ ...credential });
        store.putCredential({ ...credential, credentialId: 'BAUG', userHandle: null, isResidentCredential: false, signCount: null });
        store.putCredential({ ...credential, signCount: 8 }); // the counter moves on, AQID keeps its place
        store.putCredential({ ...credential, authenticatorId: 'key-2', credentialId: 'Bwg' });
        const removed = [store.deleteCredential('key-1', 'nope'), store.deleteCredential('key-2', 'Bwg')];
        store.putCredential({ ...credential, authenticatorId: 'key-2', credentialId: 'CQo' });
        store.deleteAuthenticator('key-2');
        return removed;
      };
      const read = (store: WebAuthnStore): unknown => ({
        authenticators: store.listAuthenticators(),
        credentials: ['key-1', 'key-2'].map((id) => store.listCredentials(id).map((c) => ({ ...c }))),
        one: { ...store.getCredential('key-1', 'AQID') },
        none: store.getCredential('key-2', 'CQo'),
      });
      const p = SqliteProfile.open(path);
      try {
        assert.deepEqual(write(p.webauthnStore), write(memory));
        assert.deepEqual(read(p.webauthnStore), read(memory));
      } finally {
        p.close();
      }
      const again = SqliteProfile.open(path, { synchronous: 'normal' });
      try {
        assert.deepEqual(read(again.webauthnStore), read(memory));
        assert.equal(again.webauthnStore.getCredential('key-1', 'AQID')?.signCount, 8);
        // Writes work (and are synced) with synchronous: 'normal' too.
        again.webauthnStore.putCredential({ ...credential, signCount: 9 });
        assert.equal(again.webauthnStore.getCredential('key-1', 'AQID')?.signCount, 9);
      } finally {
        again.close();
      }
    });

    it('two profiles open on one file see each other’s credentials and counters at once', () => {
      const path = file('webauthn-shared');
      const a = SqliteProfile.open(path);
      const b = SqliteProfile.open(path);
      try {
        a.webauthnStore.putAuthenticator({ ...authenticator, extensions: [], algorithms: [-7] });
        a.webauthnStore.putCredential({ ...credential });
        assert.equal(b.webauthnStore.getCredential('key-1', 'AQID')?.signCount, 7);
        b.webauthnStore.putCredential({ ...credential, signCount: 8 });
        assert.equal(a.webauthnStore.getCredential('key-1', 'AQID')?.signCount, 8);
        a.webauthnStore.deleteAuthenticator('key-1');
        assert.deepEqual(b.webauthnStore.listCredentials('key-1'), []);
      } finally {
        a.close();
        b.close();
      }
    });
  });

  describe('several processes', () => {
    it('several processes creating and writing the same new profile at once all succeed', async () => {
      const path = file();
      const script = `
        import { SqliteProfile } from ${JSON.stringify(SQLITE_MODULE)};
        import { Cookies } from ${JSON.stringify(new URL('../../src/agent/net/cookies.js', import.meta.url).href)};
        const { path, worker } = JSON.parse(process.env.FEDKIT_TEST_INPUT);
        const p = SqliteProfile.open(path);
        const cookies = new Cookies({ store: p.cookieStore });
        for (let i = 0; i < 100; i++) {
          p.addConnection({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example', accountId: worker + '-' + i, lastUsed: i });
          await cookies.set('https://idp.example/', worker + '_' + i + '=v');
        }
        p.close();
        console.log(JSON.stringify({ worker }));
      `;
      const workers = ['w0', 'w1', 'w2'];
      await Promise.all(workers.map((worker) => runNodeJson(script, { path, worker })));
      const p = SqliteProfile.open(path);
      try {
        const ids = p.connections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example' }).map((c) => c.accountId);
        assert.equal(ids.length, 300);
        for (const w of workers) for (let i = 0; i < 100; i++) assert.ok(ids.includes(`${w}-${i}`), `${w}-${i}`);
        assert.equal((await p.cookieStore.getAllCookies()).length, 300);
      } finally {
        p.close();
      }
      assert.equal(mode(path), 0o600);
    });

    it('a reader process sees a writer process’s commits in order, never partially, and never waits for a lock error', async () => {
      const path = file();
      SqliteProfile.open(path).close();
      const total = 200;
      const writer = `
        import { SqliteProfile } from ${JSON.stringify(SQLITE_MODULE)};
        const { path, total } = JSON.parse(process.env.FEDKIT_TEST_INPUT);
        const p = SqliteProfile.open(path);
        for (let i = 0; i < total; i++) p.setLoginStatus('https://idp' + i + '.example', 'logged-in');
        p.close();
        console.log(JSON.stringify({ wrote: total }));
      `;
      // The writer commits idp0, idp1, … in order. Each read is its own transaction, so the
      // reader scans from the last to the first: once it has seen idpK, every idpJ (J < K),
      // committed earlier and read later, must be there too; and what it sees never shrinks.
      const reader = `
        import { SqliteProfile } from ${JSON.stringify(SQLITE_MODULE)};
        const { path, total } = JSON.parse(process.env.FEDKIT_TEST_INPUT);
        const p = SqliteProfile.open(path);
        let reads = 0, last = 0;
        const deadline = Date.now() + 20000;
        while (last < total && Date.now() < deadline) {
          let seen = 0;
          for (let i = total - 1; i >= 0; i--) {
            const status = p.getLoginStatus('https://idp' + i + '.example');
            if (status === 'logged-in') seen = Math.max(seen, i + 1);
            else if (status !== undefined || seen > 0) throw new Error('idp' + i + ' is ' + status + ' after idp' + (seen - 1) + ' was seen');
          }
          if (seen < last) throw new Error('went back from ' + last + ' to ' + seen);
          last = seen;
          reads++;
        }
        p.close();
        console.log(JSON.stringify({ last, reads }));
      `;
      const [w, r] = await Promise.all([runNodeJson(writer, { path, total }), runNodeJson(reader, { path, total })]);
      assert.deepEqual(w, { wrote: total });
      assert.equal((r as { last: number }).last, total);
    });
  });

  describe('a returning user across runs', () => {
    it('is signed in automatically by a second agent, in a second process, sharing the profile file', async () => {
      const path = file();
      const w = await startWorld({ agent: { profile: path } });
      let agentClosed = false;
      try {
        // Run 1: sign in at the IdP (cookie + login status), then with the account chooser.
        await w.signInAtIdp();
        const first = w.page.navigator.credentials!.get({ identity: { providers: [w.provider()] } });
        const dialog = await w.agent.automation.waitForDialog();
        assert.equal(dialog.dialogType, 'AccountChooser');
        w.agent.automation.selectAccount(0);
        const credential = await first;
        assert.ok(credential instanceof IdentityCredential);
        assert.equal(credential.isAutoSelected, false);
        await w.agent.close();
        agentClosed = true;

        // The profile on disk has what the second run needs.
        const p = SqliteProfile.open(path);
        try {
          assert.equal(p.getLoginStatus('https://idp.example'), 'logged-in');
          assert.deepEqual((await new Cookies({ store: p.cookieStore }).list()).map((c) => c.name), ['sid']);
          assert.deepEqual(p.connections({ embedder: 'https://rp.example', rp: 'https://rp.example', idp: 'https://idp.example' }).map((c) => c.accountId), ['1234']);
        } finally {
          p.close();
        }

        // Run 2: another process, a new agent on the same file, no dialog answered by anyone.
        w.server.clearRequests();
        const script = `
          import { createAgent } from ${JSON.stringify(AGENT_MODULE)};
          const { path, hostRules, ca, rp, configURL } = JSON.parse(process.env.FEDKIT_TEST_INPUT);
          const agent = createAgent({ profile: path, hostRules, ca });
          const shown = [];
          agent.on('dialogShown', (d) => shown.push(d.dialogType));
          const cookies = (await agent.cookies.list()).map((c) => c.name);
          const loginStatus = agent.profile.getLoginStatus('https://idp.example');
          const page = await agent.open(rp);
          const credential = await page.navigator.credentials.get({ identity: { providers: [{ configURL, clientId: '123' }] } });
          await agent.close();
          console.log(JSON.stringify({ cookies, loginStatus, shown, token: credential.token, isAutoSelected: credential.isAutoSelected }));
        `;
        const result = await runNodeJson(script, {
          path,
          hostRules: w.server.hostRules,
          ca: w.server.ca,
          rp: w.rp.url('/'),
          configURL: w.idp.configURL,
        });
        assert.deepEqual(result, { cookies: ['sid'], loginStatus: 'logged-in', shown: ['AutoReauthn'], token: 'token', isAutoSelected: true });
        const accounts = w.server.requestsTo('https://idp.example', '/fedcm/accounts')[0];
        assert.deepEqual(accounts?.cookies, { sid: '1' }, 'the persisted session cookie went with the accounts request');
        const token = w.server.requestsTo('https://idp.example', '/fedcm/token')[0];
        assert.match(token?.body ?? '', /account_id=1234&disclosure_text_shown=false&is_auto_selected=true/);
      } finally {
        if (agentClosed) await w.server.close();
        else await w.close();
      }
    });

    it('a second Agent in the same process gets the cookies and the login status (fixture world)', async () => {
      const path = file();
      const w1 = await startWorld({ agent: { profile: path } });
      try {
        await w1.signInAtIdp();
      } finally {
        await w1.close();
      }
      const w2 = await startWorld({ agent: { profile: path } });
      try {
        assert.deepEqual((await w2.agent.cookies.list()).map((c) => c.name), ['sid']);
        assert.equal(w2.agent.profile.getLoginStatus('https://idp.example'), 'logged-in');
        const pending = w2.page.navigator.credentials!.get({ identity: { providers: [w2.provider()] } });
        const d = await w2.agent.automation.waitForDialog();
        // No connection yet (run 1 never used FedCM), so the chooser, not auto re-authentication.
        assert.equal(d.dialogType, 'AccountChooser');
        w2.agent.automation.selectAccount(0);
        await pending;
        assert.deepEqual(w2.server.requestsTo('https://idp.example', '/fedcm/accounts')[0]?.cookies, { sid: '1' });
      } finally {
        await w2.close();
      }
    });
  });
});
