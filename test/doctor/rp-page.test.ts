// `fedkit doctor --rp`: doctorRp() against small RP pages on loopback under https://rp.example
// (the fixture server with its IdP), one page per rule, each giving its finding with the right id
// and level; the reference RP app of fedkit/testing gives none. Every run is bounded by a short
// settleMs and timeoutMs.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { doctorRp, type DoctorRpOptions, type RpDoctorReport } from '../../src/doctor/rp-page.js';
import { allowlistMatches, declaredAllowlist } from '../../src/doctor/rp/permissions-policy.js';
import { scriptErrorFindings } from '../../src/doctor/rp/problems.js';
import type { Finding } from '../../src/doctor/finding.js';
import { startTestSystem } from '../../src/testing/index.js';
import { installIdp, installRp, startFixtureServer, type FixtureServer, type IdpController, type RpController } from '../fixtures/index.js';

let server: FixtureServer;
let idp: IdpController;
let rp: RpController;

before(async () => {
  server = await startFixtureServer();
  idp = installIdp(server);
  rp = installRp(server);
});
after(async () => {
  await server.close();
});

/** An HTML page whose inline script runs `script`. */
function page(script: string, body = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>RP</title></head><body>${body}<script>${script}</script></body></html>`;
}

/** A get() call the page makes, its rejection handled (an uncaught one is a script error). */
function get(identity: Record<string, unknown>): string {
  return `navigator.credentials.get({ identity: ${JSON.stringify(identity)} }).catch(() => {});`;
}

const provider = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ configURL: idp.configURL, clientId: '123', params: { nonce: 'n-1' }, ...extra });

async function doctor(path: string, options: DoctorRpOptions = {}): Promise<RpDoctorReport> {
  return doctorRp(rp.url(path), { hostRules: server.hostRules, ca: server.ca, settleMs: 200, timeoutMs: 10_000, ...options });
}

function only(report: RpDoctorReport, id: Finding['id']): Finding[] {
  return report.findings.filter((f) => f.id === id);
}

function one(report: RpDoctorReport, id: Finding['id']): Finding {
  const found = only(report, id);
  assert.equal(found.length, 1, `expected one ${id}, got: ${JSON.stringify(report.findings, null, 1)}`);
  return found[0]!;
}

function errors(report: RpDoctorReport): Finding[] {
  return report.findings.filter((f) => f.level === 'error');
}

describe('doctorRp: the page itself', () => {
  it('RpPageUnreachable: a 404 page', async () => {
    rp.page('/gone', { status: 404, html: 'not here' });
    const report = await doctor('/gone');
    const f = one(report, 'RpPageUnreachable');
    assert.equal(f.level, 'error');
    assert.equal(f.target, 'rp page');
    assert.match(f.seen, /answered 404/);
    assert.ok(f.fix.length > 0);
    assert.equal(report.ok, false);
    assert.equal(report.requests[0]?.status, 404);
  });

  it('RpPageUnreachable: nothing listens', async () => {
    const report = await doctorRp('https://rp.example/', { hostRules: { '*.example:443': '127.0.0.1:1' }, ca: server.ca, settleMs: 200, timeoutMs: 5_000 });
    const f = one(report, 'RpPageUnreachable');
    assert.equal(f.level, 'error');
    assert.match(f.seen, /could not be loaded/);
  });

  it('RpNotSecureContext: an http page on a non-loopback host', async () => {
    const plain = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page(get({ providers: [provider()] })));
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const port = (plain.address() as AddressInfo).port;
      const report = await doctorRp('http://rp.example/', { hostRules: { 'rp.example:80': `127.0.0.1:${port}` }, settleMs: 200, timeoutMs: 5_000 });
      const f = one(report, 'RpNotSecureContext');
      assert.equal(f.level, 'error');
      assert.match(f.seen, /http:\/\/rp\.example\/ is not a secure context/);
      assert.equal(report.ok, false);
    } finally {
      plain.closeAllConnections();
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });

  it('PermissionsPolicyDenied: the header disables identity-credentials-get for the page', async () => {
    rp.page('/pp', { html: page(get({ providers: [provider()] })), headers: { 'permissions-policy': 'identity-credentials-get=()' } });
    const f = one(await doctor('/pp'), 'PermissionsPolicyDenied');
    assert.equal(f.level, 'error');
    assert.match(f.seen, /identity-credentials-get=\(\)/);
  });

  it('RpScriptError: a script that throws', async () => {
    rp.page('/throws', page('window.startSignIn();'));
    const report = await doctor('/throws');
    const f = one(report, 'RpScriptError');
    assert.equal(f.level, 'warning');
    assert.match(f.seen, /startSignIn/);
    assert.equal(report.ok, true); // a warning
    assert.equal((await doctor('/throws', { strict: true })).ok, false);
  });

  it('RpScriptError: a get() whose rejection the page does not catch', () => {
    // node:test fails a test on any unhandled rejection in the process, a page's included, so this
    // runs the finding on the report runScripts makes of one ("Uncaught (in promise) …").
    const detail = 'https://rp.example/: Uncaught (in promise) NetworkError: Error retrieving a token.';
    const [f, ...rest] = scriptErrorFindings([{ reason: 'InvalidRequest', level: 'warning', message: 'The page had an error.', detail, url: 'https://rp.example/', issue: null }]);
    assert.deepEqual(rest, []);
    assert.equal(f?.id, 'RpScriptError');
    assert.equal(f?.level, 'warning');
    assert.equal(f?.seen, `The page had an error. ${detail}`);
    assert.match(f?.fix ?? '', /Catch the rejection/);
  });

  it('RpNoFedCmCall: a page that never calls FedCM, with a hint to click', async () => {
    rp.page('/quiet', page('document.title = "Hello";'));
    const report = await doctor('/quiet');
    const f = one(report, 'RpNoFedCmCall');
    assert.equal(f.level, 'info');
    assert.match(f.seen, /within 200 ms/);
    assert.match(f.fix, /click/);
    assert.equal(report.ok, true);
  });

  it('ProbeSkipped: a click selector that matches nothing', async () => {
    rp.page('/nobutton', page('', '<p>No button here</p>'));
    const report = await doctor('/nobutton', { click: '#signin' });
    const f = one(report, 'ProbeSkipped');
    assert.equal(f.level, 'warning');
    assert.match(f.seen, /#signin/);
  });

  it('an invalid click selector is the caller\'s mistake', async () => {
    rp.page('/plain', page(''));
    await assert.rejects(doctor('/plain', { click: '#[' }), TypeError);
  });

  it('a page that never finishes loading is cut at timeoutMs', async () => {
    server.route(rp.origin, 'GET', '/hang.js', () => ({ hang: true }));
    rp.page('/hangs', '<!doctype html><script src="/hang.js"></script>');
    const started = performance.now();
    const report = await doctor('/hangs', { timeoutMs: 1_500 });
    assert.ok(performance.now() - started < 2_500, `took ${performance.now() - started} ms`);
    assert.match(one(report, 'ProbeSkipped').seen, /timeout.*had not finished loading/);
  });
});

describe('doctorRp: the page\'s FedCM calls', () => {
  it('RpCspBlocksConfig: connect-src refuses the config URL (the agent\'s words)', async () => {
    rp.page('/csp', { html: page(get({ providers: [provider()] })), headers: { 'content-security-policy': "connect-src 'self'" } });
    const report = await doctor('/csp');
    const f = one(report, 'RpCspBlocksConfig');
    assert.equal(f.level, 'error');
    assert.equal(f.url, idp.configURL);
    assert.match(f.seen, /Refused to connect to 'https:\/\/idp\.example\/fedcm\/config\.json'/);
    assert.match(f.seen, /connect-src 'self'/);
    assert.match(f.fix, /https:\/\/idp\.example/);
    assert.equal(only(report, 'RpNoFedCmCall').length, 0);
  });

  it('RpCspBlocksConfig: default-src in a <meta> policy (which the agent does not enforce)', async () => {
    rp.page('/csp-meta', `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self' 'unsafe-inline'"></head><body><script>${get({ providers: [provider()] })}</script></body></html>`);
    const f = one(await doctor('/csp-meta'), 'RpCspBlocksConfig');
    assert.match(f.seen, /default-src 'self' 'unsafe-inline'.*default-src applies/);
    assert.match(f.seen, /<meta/);
  });

  it('RpCspBlocksConfig: checked even when the call failed earlier (InvalidRequest)', async () => {
    rp.page('/csp-invalid', { html: page(get({ providers: [provider({ clientId: '' })] })), headers: { 'content-security-policy': "connect-src 'self'" } });
    const report = await doctor('/csp-invalid');
    const invalid = one(report, 'InvalidRequest');
    assert.equal(invalid.level, 'error');
    assert.match(invalid.seen, /InvalidStateError/);
    assert.match(one(report, 'RpCspBlocksConfig').seen, /failed earlier, with InvalidStateError/);
  });

  it('RpIframeWithoutAllow: a cross-origin iframe without allow (same-origin and allowed ones are fine)', async () => {
    rp.page(
      '/frames',
      page(
        '',
        [
          '<iframe src="https://widget.example/frame"></iframe>',
          '<iframe src="https://allowed.example/frame" allow="identity-credentials-get"></iframe>',
          '<iframe src="/iframe"></iframe>',
          '<iframe src="https://camera.example/frame" allow="camera"></iframe>',
        ].join(''),
      ),
    );
    const report = await doctor('/frames');
    const found = only(report, 'RpIframeWithoutAllow');
    assert.deepEqual(found.map((f) => f.url).sort(), ['https://camera.example/frame', 'https://widget.example/frame']);
    for (const f of found) {
      assert.equal(f.level, 'warning');
      assert.match(f.seen, /Only an iframe that calls FedCM is hurt/);
      assert.match(f.fix, /allow="identity-credentials-get"/);
    }
    assert.match(found.find((f) => f.url === 'https://camera.example/frame')!.seen, /allow="camera" without identity-credentials-get/);
    assert.deepEqual(errors(report), []);
  });

  it('RpIframeWithoutAllow: an iframe the script adds, and one the header keeps out', async () => {
    rp.page('/frames-late', {
      html: page('setTimeout(() => { const f = document.createElement("iframe"); f.src = "https://late.example/x"; f.allow = "identity-credentials-get"; document.body.append(f); }, 50);'),
      headers: { 'permissions-policy': 'identity-credentials-get=(self)' },
    });
    const f = one(await doctor('/frames-late'), 'RpIframeWithoutAllow');
    assert.equal(f.url, 'https://late.example/x');
    assert.match(f.seen, /Permissions-Policy header does not allow/);
  });

  it('NonceInTopLevel: a provider with a top-level nonce', async () => {
    rp.page('/nonce', page(get({ providers: [{ configURL: idp.configURL, clientId: '123', nonce: 'n-1' }] })));
    const f = one(await doctor('/nonce'), 'NonceInTopLevel');
    assert.equal(f.level, 'warning');
    assert.equal(f.url, idp.configURL);
    assert.match(f.fix, /params: \{ nonce \}/);
  });

  it('MissingTransientUserActivation: mode active on page load', async () => {
    rp.page('/active-on-load', page(get({ mode: 'active', providers: [provider()] })));
    const report = await doctor('/active-on-load');
    const f = one(report, 'MissingTransientUserActivation');
    assert.equal(f.level, 'error');
    assert.match(f.seen, /mode 'active'.*before any click/);
    assert.match(f.seen, /The agent refused it the same way/);
    assert.equal(report.ok, false);
  });

  it('mode active from a clicked button is fine', async () => {
    rp.page('/active-on-click', page(`document.getElementById('go').addEventListener('click', () => { ${get({ mode: 'active', providers: [provider()] })} });`, '<button id="go">Sign in</button>'));
    const report = await doctor('/active-on-click', { click: '#go' });
    assert.deepEqual(errors(report), []);
    assert.equal(only(report, 'RpNoFedCmCall').length, 0);
    // The active request opened the IdP's login page (the user is logged out), which the doctor closed.
    assert.ok(report.requests.some((r) => r.url === idp.loginURL));
  });

  it('TooManyRequests: a second get() while the first is pending', async () => {
    rp.page('/twice', page(get({ providers: [provider()] }) + get({ providers: [provider()] })));
    const report = await doctor('/twice');
    const f = one(report, 'TooManyRequests');
    assert.equal(f.level, 'error');
    assert.match(f.seen, /get\(\) #2 .* refused with NotAllowedError/);
    assert.match(f.seen, /get\(\) #1/);
  });

  it('TooManyRequests: a button\'s passive get() while the load-time chooser is still open', async () => {
    // An IdP that shows its accounts without a session: the passive request on load shows its
    // chooser, which the doctor leaves up (a user who has not answered yet) until the end.
    const open = installIdp(server, { origin: 'https://idp2.example', requireSession: false });
    const p = { configURL: open.configURL, clientId: '123', params: { nonce: 'n' } };
    const button = (mode: string): string =>
      page(`${get({ providers: [p] })} document.getElementById('go').addEventListener('click', () => { ${get({ mode, providers: [p] })} });`, '<button id="go">Sign in</button>');
    rp.page('/chooser-then-passive', button('passive'));
    rp.page('/chooser-then-active', button('active'));

    const refused = await doctor('/chooser-then-passive', { click: '#go' });
    const f = one(refused, 'TooManyRequests');
    assert.match(f.seen, /get\(\) #2 \(mode 'passive'.*after the click\) was refused/);
    assert.match(f.seen, /its AccountChooser dialog still open/);

    // Active mode after a click replaces the pending passive request, as Chrome does.
    const replaced = await doctor('/chooser-then-active', { click: '#go' });
    assert.deepEqual(errors(replaced), []);
  });

  it('a get() made late, within settleMs, is seen', async () => {
    rp.page('/late', page(`setTimeout(() => { ${get({ providers: [{ configURL: idp.configURL, clientId: '123', nonce: 'x' }] })} }, 300);`));
    const report = await doctor('/late', { settleMs: 1_000 });
    assert.equal(only(report, 'RpNoFedCmCall').length, 0);
    one(report, 'NonceInTopLevel');
  });

  it('a config URL every user fails on is reported on its IdP file', async () => {
    rp.page('/wrong-config', page(get({ providers: [provider({ configURL: 'https://idp.example/fedcm/nope.json' })] })));
    const report = await doctor('/wrong-config');
    const idpFiles = report.findings.filter((f) => f.target === 'config file' || f.target === 'well-known file');
    assert.ok(idpFiles.length > 0, JSON.stringify(report.findings));
    for (const f of idpFiles) {
      assert.equal(f.level, 'error');
      assert.match(f.fix, /config URL/);
    }
  });
});

describe('doctorRp: a good page', () => {
  it('the reference RP app of fedkit/testing gives no error and no warning', async () => {
    const system = await startTestSystem();
    try {
      const report = await doctorRp(system.rp.url(), { hostRules: system.hostRules, ca: system.ca, click: '#signin', settleMs: 300, timeoutMs: 15_000 });
      assert.deepEqual(report.findings.filter((f) => f.level !== 'info'), []);
      assert.equal(report.ok, true);
      assert.equal(report.url, system.rp.url());
      // It called FedCM (passive on load, active on the click) and the doctor saw the FedCM fetches.
      assert.equal(only(report, 'RpNoFedCmCall').length, 0);
      assert.ok(report.requests.some((r) => r.probe === 'rp page: config file'));
    } finally {
      await system.close();
    }
  });

  it('a page of startTestSystem({ rp: { pages } }) with a CSP that allows the IdP', async () => {
    const system = await startTestSystem({
      rp: {
        pages: (request) =>
          new URL(request.url).pathname === '/csp-ok'
            ? new Response(page(get({ providers: [{ configURL: system.idp.configURL, clientId: system.idp.clientId, params: { nonce: 'n' } }] })), {
                headers: { 'content-type': 'text/html', 'content-security-policy': `default-src 'self' 'unsafe-inline'; connect-src 'self' ${new URL(system.idp.configURL).origin}` },
              })
            : undefined,
      },
    });
    try {
      const report = await doctorRp(new URL('/csp-ok', system.rp.url()), { hostRules: system.hostRules, ca: system.ca, settleMs: 200, timeoutMs: 10_000 });
      assert.deepEqual(report.findings, []);
      assert.equal(report.ok, true);
    } finally {
      await system.close();
    }
  });
});

describe('the Permissions-Policy header, for one feature', () => {
  it('reads allowlists as Chrome does', () => {
    const self = 'https://rp.example';
    const check = (header: string, origin: string): boolean | undefined => {
      const a = declaredAllowlist(header, 'identity-credentials-get');
      return a === undefined ? undefined : allowlistMatches(a, origin, self);
    };
    assert.equal(check('identity-credentials-get=()', self), false);
    assert.equal(check('identity-credentials-get=*', 'https://x.example'), true);
    assert.equal(check('identity-credentials-get=self', self), true);
    assert.equal(check('identity-credentials-get=(self)', 'https://x.example'), false);
    assert.equal(check('camera=(), identity-credentials-get=(self "https://x.example")', 'https://x.example'), true);
    assert.equal(check('geolocation=("https://a.example, b"), identity-credentials-get=()', self), false);
    assert.equal(check('camera=()', self), undefined);
    assert.equal(check('identity-credentials-get=(self), identity-credentials-get=*', 'https://x.example'), true);
  });
});
