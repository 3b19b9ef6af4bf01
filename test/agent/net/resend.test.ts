// Resending a request whose reused keep-alive connection failed under it (RFC 9112 §9.3.1,
// Chromium HttpNetworkTransaction::ShouldResendRequest): against raw TLS and TCP servers that
// decide, per connection and per request, to answer, to close, to reset, or to answer in part.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Cookies } from '../../../src/agent/net/cookies.js';
import { Fetcher } from '../../../src/agent/net/fetcher.js';
import { NetError } from '../../../src/agent/net/types.js';
import { testCertificates } from '../../helpers/certs.js';
import { request } from './helpers.js';

const T = { timeout: 15_000 };

/** What the server does with the n-th request (1-based) of a connection it accepted as the c-th (1-based). */
type Behaviour = (connection: number, nth: number, socket: Socket) => 'answer' | 'close' | 'reset' | 'partial';

const OK = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nkeep-alive: timeout=60\r\n\r\n{"ok":true}';

/** A raw HTTP/1.1 server: it counts connections and the requests each brings, and obeys `behaviour`. */
class RawServer {
  connections = 0;
  /** Every request line (with its body, for POST) in arrival order, tagged with its connection. */
  readonly requests: { connection: number; line: string; body: string }[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(tls: boolean, behaviour: Behaviour): Promise<RawServer> {
    const { certPem, keyPem } = testCertificates();
    let raw!: RawServer;
    const onSocket = (socket: Socket): void => {
      const connection = ++raw.connections;
      raw.sockets.add(socket);
      socket.on('close', () => raw.sockets.delete(socket));
      socket.on('error', () => {});
      let buffer = '';
      let nth = 0;
      socket.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('latin1');
        // One request at a time: its head, then Content-Length bytes of body.
        for (;;) {
          const end = buffer.indexOf('\r\n\r\n');
          if (end === -1) return;
          const head = buffer.slice(0, end);
          const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? '0');
          if (buffer.length < end + 4 + length) return;
          const body = buffer.slice(end + 4, end + 4 + length);
          buffer = buffer.slice(end + 4 + length);
          nth++;
          raw.requests.push({ connection, line: head.split('\r\n')[0] ?? '', body });
          const what = behaviour(connection, nth, socket);
          if (what === 'answer') socket.write(OK);
          else if (what === 'close') socket.destroy();
          else if (what === 'reset') socket.resetAndDestroy();
          else {
            socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"ok":');
            setTimeout(() => socket.destroy(), 20);
          }
        }
      });
    };
    const server = tls ? createTlsServer({ cert: certPem, key: keyPem }, onSocket) : createNetServer(onSocket);
    raw = new RawServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return raw;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function fetcherFor(server: RawServer): Fetcher {
  return new Fetcher({
    hostRules: { '*.example': `127.0.0.1:${server.port}` },
    ca: testCertificates().caPem,
    timeoutMs: 5000,
    cookies: new Cookies(),
  });
}

async function rejectsNet(p: Promise<unknown>): Promise<NetError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof NetError, `expected a NetError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a NetError, but the request succeeded');
}

/**
 * Lets undici see its connection free again before the next request: it marks a connection
 * available in a microtask after the response ends, and a request dispatched before that opens
 * a connection of its own. One turn of the event loop, no timer.
 */
const idle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The first request of each connection is answered; a second one on it is met by `second`. */
const onlyFirstPerConnection =
  (second: 'close' | 'reset' | 'partial'): Behaviour =>
  (_c, nth) =>
    nth === 1 ? 'answer' : second;

describe('Fetcher: resending on a reused keep-alive connection', T, () => {
  const open: { server: RawServer; fetcher: Fetcher }[] = [];
  const start = async (tls: boolean, behaviour: Behaviour): Promise<{ server: RawServer; fetcher: Fetcher }> => {
    const server = await RawServer.start(tls, behaviour);
    const pair = { server, fetcher: fetcherFor(server) };
    open.push(pair);
    return pair;
  };
  after(async () => {
    for (const { server, fetcher } of open) {
      await fetcher.close();
      await server.close();
    }
  });

  for (const method of ['GET', 'POST'] as const) {
    test(`${method}: the connection closed as the second request arrived; resent once on a new connection`, async () => {
      const { server, fetcher } = await start(true, onlyFirstPerConnection('close'));
      const url = 'https://idp.example/token';
      const first = await fetcher.fetch(request(url));
      assert.equal(first.status, 200);
      assert.deepEqual(first.resent, []);
      await idle();
      const body = method === 'POST' ? 'account_id=1&client_id=rp' : undefined;
      const res = await fetcher.fetch(
        request(url, { method, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }) }),
      );
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(new TextDecoder().decode(res.body)), { ok: true });
      assert.equal(res.resent.length, 1);
      assert.match(res.resent[0]?.error ?? '', /UND_ERR_SOCKET/);
      // Exactly one extra connection, and the request arrived twice, body and all.
      assert.equal(server.connections, 2);
      assert.deepEqual(
        server.requests.map((r) => [r.connection, r.line, r.body]),
        [
          [1, 'GET /token HTTP/1.1', ''],
          [1, `${method} /token HTTP/1.1`, body ?? ''],
          [2, `${method} /token HTTP/1.1`, body ?? ''],
        ],
      );
    });
  }

  test('a TCP reset (ECONNRESET) on a reused connection is resent too', async () => {
    const { server, fetcher } = await start(false, onlyFirstPerConnection('reset'));
    await fetcher.fetch(request('http://idp.example/a'));
    await idle();
    const res = await fetcher.fetch(request('http://idp.example/b', { method: 'POST', body: 'x=1' }));
    assert.equal(res.status, 200);
    assert.equal(res.resent.length, 1);
    assert.equal(server.connections, 2);
  });

  test('a fresh connection closed without an answer is not resent: one attempt, a network error', async () => {
    const { server, fetcher } = await start(true, () => 'close');
    const err = await rejectsNet(fetcher.fetch(request('https://idp.example/config.json')));
    assert.equal(err.reason, 'connection');
    assert.doesNotMatch(err.message, /resent/);
    assert.equal(server.connections, 1);
    assert.equal(server.requests.length, 1);
  });

  test('part of a response, then the connection closes: not resent', async () => {
    const { server, fetcher } = await start(true, onlyFirstPerConnection('partial'));
    await fetcher.fetch(request('https://idp.example/a'));
    await idle();
    const err = await rejectsNet(fetcher.fetch(request('https://idp.example/b')));
    assert.equal(err.reason, 'connection');
    assert.equal(server.connections, 1);
    assert.equal(server.requests.length, 2);
  });

  test('a resent request that fails again is an error, not a loop', async () => {
    // Every connection answers its first request; the resend finds a connection closing on its
    // first request, so the second attempt fails (on a fresh connection: not resent again).
    const { server, fetcher } = await start(true, (c, nth) => (c === 1 && nth === 1 ? 'answer' : 'close'));
    await fetcher.fetch(request('https://idp.example/a'));
    await idle();
    const err = await rejectsNet(fetcher.fetch(request('https://idp.example/b', { method: 'POST', body: 'x=1' })));
    assert.equal(err.reason, 'connection');
    assert.match(err.message, /resent on a new connection after the reused keep-alive connection failed \(other side closed\), and failed again/);
    assert.equal(server.connections, 2);
    assert.equal(server.requests.length, 3);
  });

  test('after a resend the pool is used again: the next request reconnects once and succeeds', async () => {
    const { server, fetcher } = await start(true, onlyFirstPerConnection('close'));
    await fetcher.fetch(request('https://idp.example/a'));
    await idle();
    const resent = await fetcher.fetch(request('https://idp.example/b'));
    assert.equal(resent.resent.length, 1);
    await idle();
    // The pool's connection died with the failed attempt; the next request opens a new one.
    const next = await fetcher.fetch(request('https://idp.example/c'));
    assert.deepEqual(next.resent, []);
    assert.equal(server.connections, 3);
  });
});
