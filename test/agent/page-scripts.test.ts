// runScripts(): a page's HTML and scripts in jsdom, wired to the agent. Module scripts (graphs,
// import maps, top-level await, dynamic import, their place before DOMContentLoaded), fetch()
// and XHR through the agent, document.cookie, navigator.credentials from page code, navigations
// (location, links, forms), and page errors that must not take the process down.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { autoSelect, type Diagnostic, type Frame } from '../../src/agent/index.js';
import { transformModule } from '../../src/agent/window/scripting/module-transform.js';
import { runScripts, type CredentialRequestEvent, type PageScripts } from '../../src/agent/window/scripting/run-scripts.js';
import { startWorld, type World } from '../helpers/world.js';

let w: World;
let lines: string[];
let diagnostics: Diagnostic[];
let calls: CredentialRequestEvent[];
const pages: PageScripts[] = [];

beforeEach(async () => {
  w = await startWorld({ agent: { mediator: autoSelect(0), rejectionDelay: false } });
  lines = [];
  diagnostics = [];
  calls = [];
});
afterEach(async () => {
  for (const p of pages.splice(0)) p.close();
  await w.close();
});

const js = (body: string) => () => ({ headers: { 'content-type': 'text/javascript' }, body });

/** Serves `html` at `path` on the RP, opens it and runs it. */
async function open(path: string, html: string): Promise<PageScripts> {
  w.rp.page(path, html);
  const frame = await w.agent.open(w.rp.url(path));
  const page = runScripts(frame, {
    agent: w.agent,
    console: (level, message) => lines.push(`${level}: ${message}`),
    report: (d) => diagnostics.push(d),
    onCredentialRequest: (e) => calls.push(e),
  });
  pages.push(page);
  return page;
}

/** Waits (bounded) until the page logged a line matching `pattern`. */
async function logged(pattern: RegExp, timeoutMs = 5000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const line = lines.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() > until) throw new Error(`no console line matched ${pattern}; got:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('runScripts: module scripts', { timeout: 30_000 }, () => {
  it('runs a module graph before DOMContentLoaded, in order with deferred scripts', async () => {
    w.server.route('https://rp.example', 'GET', '/lib/math.js', js('export const two = 2; export default function add(a, b) { return a + b }; export let counter = 0; export function bump() { counter++ }'));
    w.server.route('https://rp.example', 'GET', '/lib/index.js', js("export * from './math.js'; export { default as add } from './math.js'; export * as math from './math.js';"));
    w.server.route('https://rp.example', 'GET', '/deferred.js', js("console.log('deferred classic')"));
    const page = await open(
      '/modules',
      `<!doctype html><title>m</title>
      <script type="importmap">{ "imports": { "lib": "/lib/index.js", "lib/": "/lib/" } }</script>
      <script>document.addEventListener('DOMContentLoaded', () => console.log('DOMContentLoaded'));</script>
      <script type="module">
        import { add, two, math, bump } from 'lib';
        import * as direct from 'lib/math.js';
        bump();
        console.log('module', add(two, 3), math.two, direct.counter, typeof document.getElementById('after'), import.meta.url);
      </script>
      <script defer src="/deferred.js"></script>
      <script nomodule>console.log('nomodule ran')</script>
      <p id="after">after</p>`,
    );
    await page.loaded;
    assert.deepEqual(
      lines.filter((l) => !l.startsWith('jsdomError')),
      ['log: module 5 2 1 object https://rp.example/modules', 'log: deferred classic', 'log: DOMContentLoaded'],
    );
    // Module fetches went through the agent once each (the module map is per document).
    assert.equal(w.server.requestsTo('https://rp.example', '/lib/math.js').length, 1);
    assert.equal(w.server.requestsTo('https://rp.example', '/lib/index.js')[0]?.headers['sec-fetch-mode'], 'same-origin');
  });

  it('supports top-level await and import(), and refuses a module served as text/html', async () => {
    w.server.route('https://rp.example', 'GET', '/later.js', js("export const later = 'later'"));
    w.server.route('https://rp.example', 'GET', '/html.js', () => ({ headers: { 'content-type': 'text/html' }, body: 'export const x = 1' }));
    await open(
      '/tla',
      `<!doctype html><script type="module">
        const { later } = await import('./later.js');
        await new Promise((r) => setTimeout(r, 10));
        console.log('after await', later);
      </script>
      <script type="module" src="/html.js" onerror="console.log('error event')"></script>`,
    );
    await logged(/after await later/);
    await logged(/error event/);
    assert.ok(diagnostics.some((d) => /MIME type of "text\/html"/.test(d.detail)));
  });

  it('reports a module that throws like an uncaught error, and keeps going', async () => {
    await open(
      '/throws',
      `<!doctype html><script>window.addEventListener('error', (e) => console.log('error event: ' + e.message))</script>
      <script type="module">throw new TypeError('module boom')</script>
      <script type="module">console.log('second module still runs')</script>`,
    );
    await logged(/error event: module boom/);
    await logged(/second module still runs/);
  });

  it('transforms declarations only: strings, templates, regexps and comments stay as they are', () => {
    const source = [
      "import a, { b as c } from './x.js';",
      "const s = 'import x from \"y\"'; // export default 1",
      'const t = `export ${/* import */ 1} ${`import.meta`}`;',
      "const r = /import|export/g.test('x') ? 1 : 2;",
      'export default class extends Base { import() { return 1 } }',
      'export const { p, q: [u] } = obj;',
    ].join('\n');
    const { code, requests } = transformModule(source);
    assert.deepEqual(requests, ['./x.js']);
    assert.equal(code.split('\n').length, source.split('\n').length + 2, 'line numbers are kept');
    assert.ok(code.includes("'import x from \"y\"'"));
    assert.ok(code.includes('`export ${/* import */ 1} ${`import.meta`}`'));
    assert.ok(code.includes('/import|export/g.test'));
    assert.match(code, /"p": \(\) => p, "u": \(\) => u/);
    assert.match(code, /const a = __fedkit_module\$\.get\(0, "default"\), c = __fedkit_module\$\.get\(0, "b"\);/);
  });
});

describe('runScripts: the network, cookies and credentials', { timeout: 30_000 }, () => {
  it('fetch() and XHR go through the agent: cookies, JSON in the page realm, network errors as TypeError', async () => {
    w.server.route('https://rp.example', 'GET', '/api/me', (req) => ({
      headers: { 'set-cookie': ['visible=1; Path=/; Secure', 'hidden=2; Path=/; Secure; HttpOnly'] },
      json: { list: [1, 2], cookie: req.headers['cookie'] ?? null },
    }));
    w.server.route('https://rp.example', 'POST', '/api/form', (req) => ({ json: { type: req.headers['content-type'], body: req.body, cookie: req.headers['cookie'] } }));
    await open(
      '/net',
      `<!doctype html><script>
        (async () => {
          const res = await fetch('/api/me');
          const body = await res.json();
          console.log('me', res.status, res.ok, Array.isArray(body.list), body.list instanceof Array, body.cookie, document.cookie);
          const form = await (await fetch('/api/form', { method: 'POST', body: new URLSearchParams({ a: '1', b: 'two' }) })).json();
          console.log('form', form.type, form.body, form.cookie);
          try { await fetch('https://nowhere.test/'); } catch (e) { console.log('failed', e instanceof TypeError, e.message); }
          const x = new XMLHttpRequest();
          x.open('POST', '/api/form');
          x.setRequestHeader('content-type', 'application/json');
          x.onload = () => console.log('xhr', x.status, JSON.parse(x.responseText).cookie);
          x.send('{"k":1}');
        })();
      </script>`,
    );
    assert.equal(await logged(/^log: me/), 'log: me 200 true true true null visible=1');
    assert.equal(await logged(/^log: form/), 'log: form application/x-www-form-urlencoded;charset=UTF-8 a=1&b=two visible=1; hidden=2');
    assert.equal(await logged(/^log: failed/), 'log: failed true Failed to fetch');
    assert.equal(await logged(/^log: xhr/), 'log: xhr 200 visible=1; hidden=2');
  });

  it("exposes the frame's credential APIs: get() from page code, errors as the page's own DOMException, aborts", async () => {
    await w.signInAtIdp();
    await open(
      '/creds',
      `<!doctype html><script>
        (async () => {
          console.log('apis', 'credentials' in navigator, typeof IdentityCredential.disconnect, typeof IdentityProvider.close, typeof navigator.login.setStatus, isSecureContext);
          const c = await navigator.credentials.get({ identity: { providers: [{ configURL: ${JSON.stringify(w.idp.configURL)}, clientId: '123' }] } });
          console.log('got', c.token, c instanceof IdentityCredential, c instanceof Credential, c.type);
          try { await navigator.credentials.get({}); } catch (e) { console.log('empty', e.name, e instanceof DOMException); }
          const controller = new AbortController();
          const p = navigator.credentials.get({ identity: { providers: [{ configURL: ${JSON.stringify(w.idp.configURL)}, clientId: '123' }] }, signal: controller.signal });
          controller.abort();
          try { await p; } catch (e) { console.log('aborted', e.name); }
        })();
      </script>`,
    );
    assert.equal(await logged(/^log: apis/), 'log: apis true function function function true');
    assert.equal(await logged(/^log: got/), 'log: got token true true identity');
    assert.equal(await logged(/^log: empty/), 'log: empty NotSupportedError true');
    assert.equal(await logged(/^log: aborted/), 'log: aborted AbortError');
    assert.deepEqual(
      calls.map((c) => c.method),
      ['get', 'get', 'get'],
    );
  });

  it('an unhandled rejection in the page is reported, not fatal', async () => {
    // node:test fails the running test on any unhandled rejection; the fedkit CLI has no such
    // listener, so step the test runner's aside while the page runs.
    const others = process.listeners('unhandledRejection').filter((l) => l.name !== 'onUnhandledRejection');
    for (const l of others) process.off('unhandledRejection', l);
    try {
      await open('/reject', `<!doctype html><script>Promise.reject(new Error('page rejection')); setTimeout(() => console.log('still alive'), 20);</script>`);
      await logged(/still alive/);
      await logged(/jsdomError: Uncaught \(in promise\) Error: page rejection/);
    } finally {
      for (const l of others) process.on('unhandledRejection', l);
    }
  });
});

describe('runScripts: navigations', { timeout: 30_000 }, () => {
  async function next(page: PageScripts): Promise<Frame> {
    const until = Date.now() + 5000;
    while (page.navigated === undefined) {
      if (Date.now() > until) throw new Error(`no navigation; console:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return page.navigated;
  }

  for (const how of ["location.assign('/target?x=1')", "location.href = '/target?x=1'", "window.location = '/target?x=1'"]) {
    it(`${how} loads the next document with the agent`, async () => {
      w.rp.page('/target', '<!doctype html><title>Target</title>');
      const page = await open('/go', `<!doctype html><script>setTimeout(() => { ${how} }, 0)</script>`);
      const frame = await next(page);
      assert.equal(frame.url.href, w.rp.url('/target?x=1'));
      assert.equal(frame.document.title, 'Target');
      assert.ok(page.closed, 'the old document is closed once the new one loaded');
    });
  }

  it('a form post is submitted through the agent, with the Origin of the page', async () => {
    const posted: string[] = [];
    w.server.route('https://rp.example', 'POST', '/signout', (req) => {
      posted.push(`${req.headers['origin']} ${req.headers['content-type']} ${req.body}`);
      return { headers: { 'content-type': 'text/html' }, body: '<title>Signed out</title>' };
    });
    const page = await open('/form', `<!doctype html><form method="post" action="/signout"><input name="csrf" value="t-1"><button id="b">Sign out</button></form>`);
    await page.loaded;
    page.click('#b');
    const frame = await next(page);
    assert.equal(frame.document.title, 'Signed out');
    assert.deepEqual(posted, ['https://rp.example application/x-www-form-urlencoded csrf=t-1']);
  });

  it('a clicked link navigates; a fragment link stays on the page', async () => {
    w.rp.page('/there', '<!doctype html><title>There</title>');
    const page = await open('/links', `<!doctype html><a id="frag" href="#top">top</a><a id="away" href="/there">there</a>`);
    await page.loaded;
    page.click('#frag');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(page.navigated, undefined);
    assert.equal(page.window.location.hash, '#top');
    page.click('#away');
    assert.equal((await next(page)).document.title, 'There');
  });

  it('location.reload() loads the same URL again', async () => {
    let loads = 0;
    w.rp.page('/reload', {
      html: () => {
        loads++;
        return loads === 1 ? '<!doctype html><script>location.reload()</script>' : '<!doctype html><title>Reloaded</title>';
      },
    });
    const frame = await w.agent.open(w.rp.url('/reload'));
    const page = runScripts(frame, { agent: w.agent });
    pages.push(page);
    const reloaded = await next(page);
    assert.equal(reloaded.url.href, w.rp.url('/reload'));
    assert.equal(reloaded.document.title, 'Reloaded');
    assert.equal(loads, 2);
  });
});
