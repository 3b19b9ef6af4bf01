// `fedkit doctor`: the reference IdP of `fedkit demo` comes out without an error; a broken IdP
// exits 1 with its finding in the human report and in --json; usage mistakes exit 2.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Io } from '../../src/cli/command.js';
import { run } from '../../src/cli/run.js';
import { CLIENT_ID, DEMO_USER, RP_ORIGIN, startSystem, type System } from '../../src/cli/system.js';
import { visible } from '../../src/cli/terminal/style.js';
import { startTestSystem } from '../../src/testing/index.js';
import { installIdp, startFixtureServer, type FixtureServer } from '../fixtures/index.js';

const ESC = String.fromCharCode(27);

function captureIo(options: { isTTY?: boolean; secret?: string } = {}): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    isTTY: options.isTTY ?? false,
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
    readSecret: () => Promise.resolve(options.secret),
    stopped: Promise.resolve(),
  };
  return io;
}

describe('fedkit doctor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedkit-doctor-cli-'));
  let system: System;
  let fixture: FixtureServer;
  let caFile: string;
  before(async () => {
    system = await startSystem({ dir: join(dir, 'demo') });
    fixture = await startFixtureServer();
    installIdp(fixture).setWellKnown({ provider_urls: ['https://idp.example/other.json'] });
    caFile = join(dir, 'fixture-ca.pem');
    writeFileSync(caFile, fixture.ca);
  });
  after(async () => {
    await system?.close();
    await fixture?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const demoArgs = (): string[] => ['--host-rules', `MAP *.example:443 127.0.0.1:${system.port}`, '--ca', system.caFile];

  it('finds no error in the demo\'s IdP, signed in through its login form (the password asked for)', async () => {
    const io = captureIo({ secret: DEMO_USER.password });
    const code = await run(['doctor', system.configURL, '--client-id', CLIENT_ID, '--rp-origin', RP_ORIGIN, '--user', DEMO_USER.email, '--logout-url', system.idp.urls.logout, ...demoArgs()], io);
    assert.equal(code, 0, io.out + io.err);
    assert.match(io.out, /^fedkit doctor https:\/\/idp\.example\/fedcm\/config\.json\n/);
    assert.match(io.out, /✔ 0 errors, 0 warnings, \d+ notes: nothing stands in Chrome's way\.\n$/);
    assert.ok(!io.out.includes(ESC), 'no colour without a terminal');
  });

  it('prints the report as JSON with --json', async () => {
    const io = captureIo();
    const code = await run(['doctor', system.configURL, '--json', ...demoArgs()], io);
    assert.equal(code, 0, io.err);
    const report = JSON.parse(io.out) as { ok: boolean; configURL: string; findings: { id: string; level: string; target: string; seen: string; fix: string }[]; requests: { probe: string; url: string }[] };
    assert.equal(report.ok, true);
    assert.equal(report.configURL, system.configURL);
    assert.ok(report.findings.some((f) => f.id === 'ProbeSkipped'), 'says what it did not check');
    assert.ok(report.requests.some((r) => r.probe === 'config file' && r.url === system.configURL));
  });

  it('exits 1 for an IdP Chrome will fail with, naming the finding and its fix', async () => {
    const io = captureIo({ isTTY: true });
    const code = await run(['doctor', 'https://idp.example/fedcm/config.json', '--cookie', 'sid=1', '--host-rules', `MAP *.example:443 127.0.0.1:${fixture.port}`, '--ca', caFile], io);
    assert.equal(code, 1, io.out);
    const plain = visible(io.out);
    assert.match(plain, /well-known file\n {2}✖ error {4}ConfigNotInWellKnown {2}.*lists https:\/\/idp\.example\/other\.json/);
    assert.match(plain, /→ List the config URL in "provider_urls" exactly as RPs pass it/);
    assert.match(plain, /✖ 1 error, .*Chrome will fail here; fix the errors first\.\n$/);
    assert.ok(io.out.includes(`${ESC}[31m`), 'colour on a terminal');
    // stderr holds the progress line only (drawn every 100 ms on a terminal, then cleared).
    for (const line of visible(io.err).split('\r')) {
      if (line.trim() !== '') assert.match(line, /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] checking the [a-z -()]+ \d+\.\d s$/, `unexpected stderr: ${JSON.stringify(line)}`);
    }
  });

  it('fails on warnings with --strict', async () => {
    const io = captureIo();
    installIdp(fixture).setWellKnown('direct');
    const code = await run(['doctor', 'https://idp.example/fedcm/config.json', '--strict', '--json', '--host-rules', `MAP *.example:443 127.0.0.1:${fixture.port}`, '--ca', caFile], io);
    const report = JSON.parse(io.out) as { ok: boolean; findings: { id: string; level: string }[] };
    assert.ok(report.findings.some((f) => f.level === 'warning'));
    assert.ok(!report.findings.some((f) => f.level === 'error'), JSON.stringify(report.findings.filter((f) => f.level === 'error')));
    assert.equal(report.ok, false);
    assert.equal(code, 1);
  });

  it('checks an RP page with --rp: a CSP that refuses the IdP is an error, exit 1', async () => {
    const testing = await startTestSystem({
      rp: {
        pages: (request) =>
          new URL(request.url).pathname === '/strict'
            ? new Response(
                `<!doctype html><script>navigator.credentials.get({ identity: { providers: [{ configURL: 'https://idp.example/fedcm/config.json', clientId: 'test-rp' }] } }).catch(() => {});</script>`,
                { headers: { 'content-type': 'text/html', 'content-security-policy': "default-src 'self' 'unsafe-inline'" } },
              )
            : undefined,
      },
    });
    const ca = join(dir, 'testing-ca.pem');
    writeFileSync(ca, testing.ca);
    try {
      const io = captureIo();
      const code = await run(['doctor', '--rp', testing.rp.url('/strict'), '--settle', '300', '--host-rules', testing.chromiumHostRules, '--ca', ca], io);
      assert.equal(code, 1, io.out + io.err);
      assert.match(io.out, /^fedkit doctor --rp https:\/\/rp\.example\/strict\n/);
      assert.match(io.out, /rp page\n {2}✖ error {4}RpCspBlocksConfig {2}/);
      const good = captureIo();
      assert.equal(await run(['doctor', '--rp', testing.rp.url('/'), '--settle', '300', '--json', '--host-rules', testing.chromiumHostRules, '--ca', ca], good), 0, good.out);
      assert.equal((JSON.parse(good.out) as { ok: boolean }).ok, true);
    } finally {
      await testing.close();
    }
  });

  for (const [args, message] of [
    [[], /the IdP's config URL is required/],
    [['not a url'], /not an http\(s\) URL/],
    [['https://idp.example/c.json', '--user', 'a@b.example', '--cookie', 'sid=1'], /two ways to give a session/],
    [['https://idp.example/c.json', '--password', 'x'], /--password goes with --user/],
    [['https://idp.example/c.json', '--cookie', 'nonsense'], /expected name=value/],
    [['https://idp.example/c.json', '--rp-origin', 'nope'], /is not an origin/],
    [['https://idp.example/c.json', '--user', 'a@b.example'], /a password for a@b\.example is required/],
    [['https://idp.example/c.json', '--timeout', '-1'], /--timeout must be a positive number/],
    [['https://idp.example/c.json', '--click', '#signin'], /--click goes with --rp/],
    [['--rp', 'https://rp.example/', '--client-id', 'x'], /--client-id checks an IdP; it does not go with --rp/],
    [['--rp', 'https://rp.example/', 'https://idp.example/c.json'], /give the IdP's config URL in a run of its own/],
    [['--rp', 'nope'], /--rp nope is not an http\(s\) URL/],
  ] as const) {
    it(`exits 2 for a usage mistake: ${args.join(' ') || '(no argument)'}`, async () => {
      const io = captureIo();
      assert.equal(await run(['doctor', ...args], io), 2);
      assert.match(io.err, message);
    });
  }
});
