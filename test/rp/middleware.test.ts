// fedkit/rp/express, fedkit/rp/fastify and fedkit/rp/hono in real apps: a token the agent got
// from fedkit/testing's IdP (a real FedCM sign-in) is posted to each framework's route, as JSON
// and as a form, and each failure is answered with the status and the code of the check that
// failed. The verifier discovers the IdP's keys over HTTPS through host rules.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { Hono } from 'hono';
import { fetch as undiciFetch } from 'undici';
import { createAgent, IdentityCredential } from '../../src/agent/index.js';
import { createDispatcher } from '../../src/common/dispatcher.js';
import { serve, type RunningServer } from '../../src/common/node-server.js';
import { fedcmMiddleware as expressFedcm } from '../../src/rp/express.js';
import { fedcmMiddleware as fastifyFedcm } from '../../src/rp/fastify.js';
import { fedcmMiddleware as honoFedcm } from '../../src/rp/hono.js';
import type { FetchLike } from '../../src/rp/index.js';
import { startTestSystem, type TestSystem } from '../../src/testing/index.js';

const NONCE = 'n-middleware-1';

/** The session's nonce: here a cookie the sign-in page would have set. */
function nonceCookie(header: string | undefined | null): string | undefined {
  return /(?:^|;\s*)rp_nonce=([^;]+)/.exec(header ?? '')?.[1];
}

describe('the RP verification middleware', { timeout: 60_000 }, () => {
  let system: TestSystem;
  let token: string;
  let fetchThroughRules: FetchLike;
  let closeDispatcher: () => Promise<void>;
  const servers: { framework: string; url: string; close: () => Promise<void> }[] = [];

  before(async () => {
    system = await startTestSystem();
    const agent = createAgent({ hostRules: system.hostRules, ca: system.ca });
    try {
      await agent.open(system.idp.signInUrl());
      const page = await agent.open(system.rp.url());
      const pending = page.navigator.credentials!.get({ identity: { providers: [{ configURL: system.idp.configURL, clientId: system.idp.clientId, params: { nonce: NONCE } }] } });
      await agent.automation.waitForDialog();
      agent.automation.selectAccount(0);
      const credential = await pending;
      assert.ok(credential instanceof IdentityCredential);
      token = credential.token as string;
    } finally {
      await agent.close();
    }
    const dispatcher = createDispatcher({ hostRules: system.hostRules, ca: system.ca });
    closeDispatcher = () => dispatcher.close();
    fetchThroughRules = (input, init) => undiciFetch(input, { ...init, dispatcher } as never) as unknown as Promise<Response>;
    const verifier = { configURL: system.idp.configURL, clientId: system.idp.clientId, fetch: fetchThroughRules };
    const otherAudience = { ...verifier, clientId: 'someone-else' };
    const noDiscovery = { issuer: `${system.idp.origin}/nothing-here`, clientId: system.idp.clientId, fetch: fetchThroughRules };

    // Express: with express.json() on /json routes, and no parser at all on /form.
    const ex = express();
    const exNonce = (req: express.Request) => nonceCookie(req.headers.cookie);
    const exAnswer = (req: express.Request, res: express.Response) => res.json({ sub: req.fedcm?.claims.sub, alg: req.fedcm?.alg });
    ex.post('/json', express.json(), expressFedcm({ ...verifier, nonce: exNonce }), exAnswer);
    ex.post('/form', expressFedcm({ ...verifier, nonce: exNonce }), (req, res) => res.json({ sub: req.fedcm?.claims.sub, bodyLeft: req.body as unknown }));
    ex.post('/audience', express.json(), expressFedcm({ ...otherAudience, nonce: exNonce }), exAnswer);
    ex.post('/discovery', express.json(), expressFedcm({ ...noDiscovery, nonce: exNonce }), exAnswer);
    const exServer = http.createServer(ex);
    await new Promise<void>((resolve) => exServer.listen(0, '127.0.0.1', resolve));
    servers.push({
      framework: 'Express',
      url: `http://127.0.0.1:${(exServer.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => { exServer.close(() => resolve()); exServer.closeAllConnections(); }),
    });

    // Fastify: JSON is Fastify's own, forms through @fastify/formbody.
    const fy = Fastify();
    await fy.register(formbody);
    const fyNonce = (request: { headers: { cookie?: string } }) => nonceCookie(request.headers.cookie);
    for (const [path, options] of [['/json', verifier], ['/form', verifier], ['/audience', otherAudience], ['/discovery', noDiscovery]] as const) {
      fy.post(path, { preHandler: fastifyFedcm({ ...options, nonce: fyNonce }) }, async (request) => ({ sub: request.fedcm?.claims.sub, alg: request.fedcm?.alg }));
    }
    const fyUrl = await fy.listen({ port: 0, host: '127.0.0.1' });
    servers.push({ framework: 'Fastify', url: fyUrl, close: () => fy.close() });

    // Hono: the middleware reads a clone, so the handler can still read the body.
    const hono = new Hono();
    const hoNonce = (c: { req: { header(name: string): string | undefined } }) => nonceCookie(c.req.header('cookie'));
    for (const [path, options] of [['/json', verifier], ['/form', verifier], ['/audience', otherAudience], ['/discovery', noDiscovery]] as const) {
      hono.post(path, honoFedcm({ ...options, nonce: hoNonce }), async (c) => c.json({ sub: c.get('fedcm').claims.sub, alg: c.get('fedcm').alg, bodyLeft: await c.req.text() !== '' }));
    }
    const hoServer: RunningServer = await serve((request) => hono.fetch(request));
    servers.push({ framework: 'Hono', url: hoServer.url, close: () => hoServer.close() });
  });

  after(async () => {
    for (const s of servers) await s.close();
    await closeDispatcher?.();
    await system?.close();
  });

  const cookie = `rp_nonce=${NONCE}`;
  const postJson = (url: string, body: unknown, headers: Record<string, string> = { cookie }) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  const failure = async (res: Response): Promise<[number, string]> => [res.status, ((await res.json()) as { error: { code: string } }).error.code];

  for (const framework of ['Express', 'Fastify', 'Hono']) {
    describe(framework, () => {
      const url = (path: string) => servers.find((s) => s.framework === framework)!.url + path;

      it('verifies a JSON {token} against the session\'s nonce and hands the claims to the handler', async () => {
        const res = await postJson(url('/json'), { token });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { sub: string; alg: string };
        assert.equal(body.sub, system.idp.users[0]!.id);
        assert.equal(body.alg, 'ES256');
      });

      it('verifies a form field token', async () => {
        const res = await fetch(url('/form'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams({ token }).toString() });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { sub: string; bodyLeft?: unknown };
        assert.equal(body.sub, system.idp.users[0]!.id);
        if (framework === 'Express') assert.deepEqual(body.bodyLeft, { token }, 'the body the middleware read is left in req.body');
        if (framework === 'Hono') assert.equal(body.bodyLeft, true, 'the handler can still read the body');
      });

      it('refuses, naming the check: wrong nonce 401, no session nonce 400, no token 400, not a JWT 401, another audience 401, no discovery 503', async () => {
        assert.deepEqual(await failure(await postJson(url('/json'), { token }, { cookie: 'rp_nonce=another' })), [401, 'nonce_mismatch']);
        assert.deepEqual(await failure(await postJson(url('/json'), { token }, {})), [400, 'no_nonce']);
        assert.deepEqual(await failure(await postJson(url('/json'), { credential: token })), [400, 'no_token']);
        assert.deepEqual(await failure(await postJson(url('/json'), { token: 'not.a-jwt' })), [401, 'not_a_jwt']);
        assert.deepEqual(await failure(await postJson(url('/json'), { token: { a: 1 } })), [401, 'not_a_jwt']);
        assert.deepEqual(await failure(await postJson(url('/audience'), { token })), [401, 'audience_mismatch']);
        assert.deepEqual(await failure(await postJson(url('/discovery'), { token })), [503, 'discovery_failed']);
      });
    });
  }

  it('reads the body itself when no parser ran: a repeated token, another content type and an oversize body are refused (Express)', async () => {
    const url = servers.find((s) => s.framework === 'Express')!.url + '/form';
    const form = (body: string, type = 'application/x-www-form-urlencoded') => fetch(url, { method: 'POST', headers: { 'content-type': type, cookie }, body });
    assert.deepEqual(await failure(await form(`token=${token}&token=other`)), [400, 'bad_body']);
    assert.deepEqual(await failure(await form(token, 'text/plain')), [415, 'bad_body']);
    assert.deepEqual(await failure(await form(`token=${'x'.repeat(20_000)}`)), [413, 'bad_body']);
    assert.deepEqual(await failure(await form('{"token":', 'application/json')), [400, 'bad_body']);
  });
});
