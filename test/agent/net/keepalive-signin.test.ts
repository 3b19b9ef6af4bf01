// Issue 14, end to end: a FedCM sign-in whose account chooser stays open longer than the IdP's
// keep-alive timeout. The ID assertion POST then goes out on a connection the IdP is closing.
//
// Two IdP servers (the test IdP of fedkit/testing behind node:https):
//   - Node's own keepAliveTimeout of 200 ms: the server closes the idle connection at 200 ms and
//     the FIN reaches the agent before the POST, so undici already drops the connection (its
//     idle-socket check before reuse) and nothing needs resending;
//   - the same 200 ms timeout, met when the next request arrives: the server closes the
//     connection as the request comes in, without answering. That is what a FIN in flight
//     crossing the request does on a real network (and what any server that checks idleness on
//     read does); on loopback it is the one way to make that race happen every time. Before the
//     fetcher resent such requests the sign-in failed here with a NetworkError.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createAgent, IdentityCredential, type Agent, type FetchRecord } from '../../../src/agent/index.js';
import { toNodeListener } from '../../../src/common/node-server.js';
import { createTestIdp, type TestIdpParts } from '../../../src/testing/test-idp.js';
import { testCertificates } from '../../helpers/certs.js';

const KEEP_ALIVE_MS = 200;
/** How long the chooser stays open: well past the keep-alive timeout. */
const HOLD_MS = 500;

type Mode = 'node-timeout' | 'close-on-arrival';

interface Idp {
  server: Server;
  parts: TestIdpParts;
  /** TLS connections accepted. */
  connections: number;
  /** Requests met by a close (close-on-arrival mode). */
  closedUnder: string[];
  close(): Promise<void>;
}

async function startIdp(mode: Mode): Promise<Idp> {
  const { certPem, keyPem } = testCertificates();
  const parts = await createTestIdp();
  const idpListener = toNodeListener(parts.handler);
  const sockets = new Set<Socket>();
  /** When each connection last finished a response. */
  const idleSince = new WeakMap<Socket, number>();
  const server = createServer({ cert: certPem, key: keyPem, keepAliveTimeout: mode === 'node-timeout' ? KEEP_ALIVE_MS : 60_000 });
  const idp: Idp = {
    server,
    parts,
    connections: 0,
    closedUnder: [],
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await parts.store.close();
    },
  };
  server.on('secureConnection', (socket: Socket) => {
    idp.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('request', (req, res) => {
    const since = idleSince.get(req.socket);
    if (mode === 'close-on-arrival' && since !== undefined && performance.now() - since > KEEP_ALIVE_MS) {
      idp.closedUnder.push(`${req.method} ${req.url}`);
      req.socket.destroy();
      return;
    }
    res.on('finish', () => idleSince.set(req.socket, performance.now()));
    const host = (req.headers.host ?? '').split(':')[0];
    if (host === 'rp.example') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>RP</title>');
      return;
    }
    idpListener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return idp;
}

async function signInHoldingTheChooser(idp: Idp): Promise<{ agent: Agent; result: unknown; records: FetchRecord[] }> {
  const port = (idp.server.address() as AddressInfo).port;
  const agent = createAgent({
    hostRules: { 'idp.example:443': `127.0.0.1:${port}`, 'rp.example:443': `127.0.0.1:${port}` },
    ca: testCertificates().caPem,
    rejectionDelay: false,
  });
  const records: FetchRecord[] = [];
  agent.on('fetch', (r) => records.push(r));
  // A failed sign-in shows the error dialog: close it, so the failure is reported at once.
  agent.on('dialogShown', (d) => {
    if (d.dialogType === 'Error') setImmediate(() => agent.automation.cancelDialog());
  });
  const login = await agent.open(idp.parts.signInUrl());
  login.close();
  const page = await agent.open('https://rp.example/');
  const pending = page.navigator.credentials!.get({
    identity: { providers: [{ configURL: idp.parts.configURL, clientId: idp.parts.clientId, params: { nonce: 'n-1' } }] },
    mediation: 'required',
  });
  pending.catch(() => {});
  await agent.automation.waitForDialog({ type: 'AccountChooser', timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
  agent.automation.selectAccount(0);
  let result: unknown;
  try {
    result = await pending;
  } catch (e) {
    result = e;
  }
  return { agent, result, records };
}

describe('a sign-in held at the chooser past the IdP keep-alive timeout', { timeout: 30_000 }, () => {
  for (const mode of ['node-timeout', 'close-on-arrival'] as const) {
    describe(mode, () => {
      let idp: Idp;
      let agent: Agent | undefined;
      before(async () => {
        idp = await startIdp(mode);
      });
      after(async () => {
        await agent?.close();
        await idp.close();
      });

      test('succeeds with the token', async () => {
        const run = await signInHoldingTheChooser(idp);
        agent = run.agent;
        const detail = run.result instanceof Error ? `${run.result.name}: ${run.result.message}` : '';
        assert.ok(run.result instanceof IdentityCredential, `the sign-in failed: ${detail}`);
        assert.equal(typeof run.result.token, 'string');
        const assertion = run.records.find((r) => r.endpoint === 'id assertion endpoint');
        assert.equal(assertion?.status, 200);
        if (mode === 'close-on-arrival') {
          // The POST met a closing connection and was resent: the server saw it once unanswered.
          assert.deepEqual(idp.closedUnder.map((r) => r.split('?')[0]), [`POST ${new URL(idp.parts.idp.urls.assertion).pathname}`]);
        }
      });
    });
  }
});
