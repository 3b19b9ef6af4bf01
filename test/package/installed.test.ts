// The package as users get it: `npm pack`, installed into an empty project, and every README
// example run from there. What the README shows must work from an installed copy, not only from
// this repository (no ../test imports, every subpath in `exports`, every file in `files`).
//
// Dependencies come from the npm registry (or npm's cache) as for any user; install scripts are
// skipped and better-sqlite3's native module is taken from this checkout's build, pinned to the
// same version, because compiling it again would add a minute and test nothing of fedkit's.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const underCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

/** The fenced block of language `lang` that follows `marker` in the README. */
function block(marker: string, lang: string): string {
  const start = readme.indexOf(marker);
  assert.ok(start >= 0, `README has no "${marker}"`);
  const open = readme.indexOf('```' + lang + '\n', start);
  const close = readme.indexOf('\n```', open + 4 + lang.length);
  return readme.slice(open + 4 + lang.length, close + 1);
}

describe('the installed package', { timeout: 180_000 }, () => {
  let dir: string;
  let app: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedkit-installed-'));
    app = join(dir, 'app');
    mkdirSync(app);
    const { stdout } = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, timeout: 60_000, maxBuffer: 16 << 20 });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    assert.ok(packed, 'npm pack reported no file');
    const sqliteVersion = (JSON.parse(readFileSync(join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string }).version;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await run(npm, ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(dir, packed.filename), `better-sqlite3@${sqliteVersion}`], {
      cwd: app,
      timeout: 120_000,
      maxBuffer: 16 << 20,
    });
    cpSync(join(root, 'node_modules/better-sqlite3/build'), join(app, 'node_modules/better-sqlite3/build'), { recursive: true });
    // The README's examples, as built from examples/*.ts: they import fedkit by its package name.
    mkdirSync(join(app, 'examples'));
    for (const name of readdirSync(join(root, 'dist/examples'))) {
      if (name.endsWith('.js')) copyFileSync(join(root, 'dist/examples', name), join(app, 'examples', name));
    }
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships only what users need: built files, README and docs, no tests', () => {
    const pkg = join(app, 'node_modules/fedkit');
    assert.ok(existsSync(join(pkg, 'dist/src/agent/index.js')));
    assert.ok(existsSync(join(pkg, 'README.md')));
    assert.ok(!existsSync(join(pkg, 'dist/test')), 'tests are not shipped');
    assert.ok(!existsSync(join(pkg, 'src')), 'TypeScript sources are not shipped');
  });

  it('resolves every subpath of its exports, in Node (fedkit/playwright without Playwright, the framework adapters without their frameworks)', async () => {
    const subpaths = ['agent', 'idp', 'idp/express', 'idp/fastify', 'rp', 'rp/browser', 'rp/express', 'rp/fastify', 'rp/hono', 'testing', 'jsdom', 'playwright'];
    for (const framework of ['express', 'fastify', 'hono']) assert.ok(!existsSync(join(app, 'node_modules', framework)), `${framework} is an optional peer, not installed with fedkit`);
    const script = `for (const p of ${JSON.stringify(subpaths)}) { const m = await import('fedkit/' + p); console.log(p, Object.keys(m).length > 0); }`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, timeout: 30_000 });
    assert.equal(stdout, subpaths.map((p) => `${p} true\n`).join(''));
    assert.ok(!existsSync(join(app, 'node_modules/playwright-core')), 'playwright-core is an optional peer, not installed with fedkit');
  });

  it('fedkit/rp/browser is a browser module: no Node built-ins, no bare imports', () => {
    const source = readFileSync(join(app, 'node_modules/fedkit/dist/src/rp/browser.js'), 'utf8');
    assert.doesNotMatch(source, /\bimport\b[^;]*\bfrom\s*['"](?!\.)/, 'imports only relative files');
    assert.doesNotMatch(source, /\brequire\(|node:/);
  });

  it('runs the fedkit command', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await run(process.execPath, [join(app, 'node_modules/.bin/fedkit'), '--version'], { cwd: app, timeout: 30_000 });
    assert.equal(stdout, `${version}\n`);
  });

  it('mounts the IdP in Express and Fastify and verifies in Hono once the frameworks are added to the project', async () => {
    const version = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    const frameworks = ['express', 'fastify', '@fastify/formbody', 'hono'].map((name) => `${name}@${version(name)}`);
    await run(npm, ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', ...frameworks], { cwd: app, timeout: 120_000, maxBuffer: 16 << 20 });
    const script = `
      import express from 'express';
      import Fastify from 'fastify';
      import { Hono } from 'hono';
      import { createIdp, openStore } from 'fedkit/idp';
      import * as idpExpress from 'fedkit/idp/express';
      import * as idpFastify from 'fedkit/idp/fastify';
      import { fedcmMiddleware } from 'fedkit/rp/hono';
      const store = await openStore('frameworks.db');
      const idp = createIdp({ issuer: 'https://idp.example/idp', store });
      const headers = { 'sec-fetch-dest': 'webidentity' };
      const ex = express();
      ex.use(express.urlencoded());
      ex.use('/idp', idpExpress.fedkitIdp(idp));
      const server = ex.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const config = await (await fetch('http://127.0.0.1:' + server.address().port + '/idp/fedcm/config.json', { headers })).json();
      server.close();
      console.log('express', config.id_assertion_endpoint);
      const fy = Fastify();
      await fy.register(idpFastify.fedkitIdp, { idp, prefix: '/idp' });
      const discovery = (await fy.inject({ url: '/idp/.well-known/openid-configuration' })).json();
      await fy.close();
      console.log('fastify', discovery.issuer);
      const hono = new Hono();
      hono.post('/session', fedcmMiddleware({ issuer: idp.issuer, clientId: 'c', nonce: () => 'n' }), (c) => c.text('ok'));
      const refused = await hono.request('/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      console.log('hono', refused.status, (await refused.json()).error.code);
      await store.close();
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, timeout: 30_000 });
    assert.equal(stdout, 'express https://idp.example/idp/fedcm/assertion\nfastify https://idp.example/idp\nhono 400 no_token\n');
  });

  const examples: [file: string, prints: string][] = [
    ['agent-signin', '<!-- prints: examples/agent-signin.ts -->'],
    ['credman-password', '<!-- prints: examples/credman-password.ts -->'],
    ['credman-federated', '<!-- prints: examples/credman-federated.ts -->'],
    ['credman-otp', '<!-- prints: examples/credman-otp.ts -->'],
    ['credman-webauthn', '<!-- prints: examples/credman-webauthn.ts -->'],
  ];
  for (const [file, marker] of examples) {
    it(`runs the README's ${file} example and prints what the README says`, async () => {
      assert.equal(block(`<!-- example: examples/${file}.ts -->`, 'ts'), readFileSync(join(root, 'examples', `${file}.ts`), 'utf8'));
      const { stdout } = await run(process.execPath, [join(app, 'examples', `${file}.js`)], { cwd: app, timeout: 30_000 });
      assert.equal(stdout, block(marker, 'text'));
    });
  }

  it('runs the README\'s Playwright example with playwright-core added to the project', { skip: !existsSync('/usr/bin/chromium') && !underCi ? '/usr/bin/chromium is not installed' : false }, async () => {
    const version = (JSON.parse(readFileSync(join(root, 'node_modules/playwright-core/package.json'), 'utf8')) as { version: string }).version;
    await run(npm, ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', `playwright-core@${version}`], { cwd: app, timeout: 120_000, maxBuffer: 16 << 20 });
    assert.equal(block('<!-- example: examples/playwright-signin.ts -->', 'ts'), readFileSync(join(root, 'examples/playwright-signin.ts'), 'utf8'));
    const { stdout } = await run(process.execPath, [join(app, 'examples', 'playwright-signin.js')], { cwd: app, timeout: 45_000 });
    assert.equal(stdout, block('<!-- prints: examples/playwright-signin.ts -->', 'text'));
  });

  it('runs the README\'s returning-user example twice on one profile, as it says', async () => {
    const script = join(app, 'examples', 'returning-user.js');
    const once = async (): Promise<string> => (await run(process.execPath, [script, 'profile.db'], { cwd: app, timeout: 30_000 })).stdout;
    const transcript = `$ node dist/examples/returning-user.js profile.db\n${await once()}$ node dist/examples/returning-user.js profile.db\n${await once()}`;
    assert.equal(transcript, block('<!-- example: examples/returning-user.ts -->', 'sh').replace(/^[\s\S]*?\$ node/, '$ node'));
  });
});
