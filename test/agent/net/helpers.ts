// A small real HTTP(S) server on 127.0.0.1 for the network-layer tests: it records exactly what
// arrived on the wire (raw header lines in order, the TLS SNI, the body) and answers with
// per-path handlers.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { testCertificates } from '../../helpers/certs.js';
import { Cookies } from '../../../src/agent/net/cookies.js';
import { Fetcher } from '../../../src/agent/net/fetcher.js';
import type { FetcherOptions } from '../../../src/agent/net/fetcher.js';
import { NetError, type AgentRequest } from '../../../src/agent/net/types.js';

export interface Received {
  method: string;
  path: string;
  /** Header lines in wire order, names lower-cased. */
  headers: [string, string][];
  /** TLS server name indication, or undefined over plain HTTP. */
  servername: string | undefined;
  body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export class TestServer {
  readonly received: Received[] = [];
  private readonly routes = new Map<string, Handler>();
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers: [string, string][] = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          headers.push([(req.rawHeaders[i] ?? '').toLowerCase(), req.rawHeaders[i + 1] ?? '']);
        }
        const path = req.url ?? '/';
        const servername = (req.socket as TLSSocket).servername;
        this.received.push({
          method: req.method ?? '',
          path,
          headers,
          servername: typeof servername === 'string' ? servername : undefined,
          body,
        });
        const handler = this.routes.get(path.split('?')[0] ?? '/');
        if (handler === undefined) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('no route');
          return;
        }
        handler(req, res, body);
      });
    });
  }

  static async https(): Promise<TestServer> {
    const { certPem, keyPem } = testCertificates();
    return TestServer.listen(createHttpsServer({ cert: certPem, key: keyPem }));
  }

  static async http(): Promise<TestServer> {
    return TestServer.listen(createHttpServer());
  }

  private static async listen(server: Server): Promise<TestServer> {
    const s = new TestServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  route(path: string, handler: Handler): void {
    this.routes.set(path, handler);
  }

  /** The last request received for a path. */
  last(path: string): Received {
    const found = [...this.received].reverse().find((r) => r.path.split('?')[0] === path);
    if (found === undefined) throw new Error(`no request received for ${path}`);
    return found;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A fetcher trusting the test CA, with every `.example` host mapped to the server. */
export function testFetcher(server: TestServer, options: Partial<FetcherOptions> = {}): Fetcher {
  return new Fetcher({
    hostRules: { '*.example': `127.0.0.1:${server.port}`, example: `127.0.0.1:${server.port}` },
    ca: testCertificates().caPem,
    timeoutMs: 5000,
    userAgent: 'fedkit-test/1',
    cookies: new Cookies(),
    ...options,
  });
}

/** A request with FedCM's uncredentialed defaults, overridable. */
export function request(url: string, overrides: Partial<AgentRequest> = {}): AgentRequest {
  return {
    url: new URL(url),
    method: 'GET',
    credentials: 'omit',
    initiator: null,
    mode: 'no-cors',
    destination: 'webidentity',
    redirect: 'error',
    ...overrides,
  };
}

/** Header lines as a record (last wins), for comparing with AgentResponse.requestHeaders. */
export function headerRecord(lines: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of lines) out[k] = v;
  return out;
}

export function json(res: ServerResponse, status: number, value: unknown, extra: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...extra }).end(JSON.stringify(value));
}

/** Resolves with the NetError `p` rejects with, asserting its reason (fails the test if `p` resolves). */
export async function rejectsNet(p: Promise<unknown>, reason: NetError['reason']): Promise<NetError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof NetError, `expected a NetError, got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    return err;
  }
  assert.fail(`expected NetError(${reason}), but the request succeeded`);
}
